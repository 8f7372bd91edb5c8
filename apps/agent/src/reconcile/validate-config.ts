// Config from the network is untrusted input: it must parse, be meant for this node, and not
// be older than what the agent already has. Anything else is rejected before any planning.
import { ZDesiredNodeConfig, type TDesiredNodeConfig } from "@meshover/netcfg";

/** The verdict on one incoming config. */
export type TConfigVerdict = { config: TDesiredNodeConfig } | { error: string; isStale: boolean };

/** Check an incoming config against the schema, this node's id and the current version. */
export function validateIncomingConfig(
  raw: unknown,
  nodeId: string,
  currentVersion: number | null,
): TConfigVerdict {
  const parsed = ZDesiredNodeConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    return { error: `malformed config (${issues.join("; ")})`, isStale: false };
  }
  if (parsed.data.self.id !== nodeId) {
    return { error: `config is for node ${parsed.data.self.id}, not this node`, isStale: false };
  }
  if (currentVersion !== null && parsed.data.version < currentVersion) {
    return {
      error: `config version ${parsed.data.version} is older than ${currentVersion}`,
      isStale: true,
    };
  }
  return { config: parsed.data };
}
