// Config from the network is untrusted: after parsing (netcfg's resolveConfigUpdate) it must be
// meant for this node and not older than what the agent already has.
import type { TDesiredNodeConfig } from "@meshover/netcfg";

/** The verdict on one incoming config. */
export type TConfigVerdict = { config: TDesiredNodeConfig } | { error: string; isStale: boolean };

/** Check a parsed config against this node's id and the version the agent already has. */
export function checkConfigFor(
  config: TDesiredNodeConfig,
  nodeId: string,
  currentVersion: number | null,
): TConfigVerdict {
  if (config.self.id !== nodeId) {
    return { error: `config is for node ${config.self.id}, not this node`, isStale: false };
  }
  if (currentVersion !== null && config.version < currentVersion) {
    return {
      error: `config version ${config.version} is older than ${currentVersion}`,
      isStale: true,
    };
  }
  return { config };
}
