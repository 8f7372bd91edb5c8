// The agent's environment: the only place it reads process.env (STYLE.md point 1).
import { z } from "zod";

const ZAgentEnv = z.object({
  MESHOVER_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
  /** Default state folder when --state-dir is not given. */
  MESHOVER_STATE_DIR: z.string().min(1).default("/var/lib/meshover"),
  PATH: z.string().default("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
  /**
   * Threads each wireguard-go runs Go code on (one process per tunnel, see getChildEnv). More
   * lets one tunnel encrypt on several cores; the default suits many tunnels per host.
   */
  GOMAXPROCS: z
    .string()
    .regex(/^[1-9]\d*$/, "a whole number from 1")
    .default("1"),
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

/**
 * The environment children (ip, wg, wireguard-go, FRR) run with: a fixed PATH, C locale, and
 * GOMAXPROCS for wireguard-go, the only Go program among them. A host without kernel WireGuard
 * runs one wireguard-go per tunnel, and each one's Go scheduler otherwise keeps a thread per
 * core: in an 8-node lab on 2 cores, 56 of them took 0.7–0.85 CPU-s per 2 s idle and 1.75–1.9
 * under 10 pps on every pair; with one thread each 0.35–0.4 and 1.0–1.2, while one tunnel's bulk
 * TCP stayed at 355 Mbit/s (both ends on the same 2 cores).
 */
export function getChildEnv(env: TAgentEnv): Record<string, string> {
  return { PATH: env.PATH, LC_ALL: "C", GOMAXPROCS: env.GOMAXPROCS };
}
