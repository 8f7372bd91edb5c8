// The agent's environment: the only place it reads process.env (STYLE.md point 1).
import { z } from "zod";

const ZAgentEnv = z.object({
  MESHOVER_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
  /** Default state folder when --state-dir is not given. */
  MESHOVER_STATE_DIR: z.string().min(1).default("/var/lib/meshover"),
  PATH: z.string().default("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
});

/** Validated agent environment. */
export type TAgentEnv = z.infer<typeof ZAgentEnv>;

/** Read and validate the environment; a bad value stops the agent with the variable named. */
export function readAgentEnv(source: Record<string, string | undefined> = process.env): TAgentEnv {
  const parsed = ZAgentEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment ${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}`);
  }
  return parsed.data;
}

/** The environment children (ip, wg, wireguard-go, FRR) run with: a fixed PATH, C locale. */
export function getChildEnv(env: TAgentEnv): Record<string, string> {
  return { PATH: env.PATH, LC_ALL: "C" };
}
