// Config from the network is untrusted input: it must parse, be meant for this node, and not
// be older than what the agent already has. Anything else is rejected before any planning.
// The stream sends a full config first and deltas after it; a delta is applied to the config
// last received on the same stream, and one that does not fit means: resubscribe for a full one.
import {
  applyConfigDelta,
  NetcfgError,
  ZDesiredNodeConfig,
  ZDesiredNodeConfigDelta,
  type TDesiredNodeConfig,
} from "@meshover/netcfg";
import type { z } from "zod";

/** The verdict on one incoming config. */
export type TConfigVerdict = { config: TDesiredNodeConfig } | { error: string; isStale: boolean };

/** One stream event turned into a full config, or why it could not be. */
export type TConfigUpdateResult =
  { config: TDesiredNodeConfig } | { error: string; isResyncNeeded: boolean };

function describeIssues(error: z.ZodError): string {
  const issues = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  return `malformed config (${issues.join("; ")})`;
}

/**
 * Turn one config stream event into a full config: a full config as it is, a delta applied to
 * `streamConfig` (the config this stream delivered last). A delta with no or another base
 * asks for a resync; a malformed event is an error either way.
 */
export function resolveConfigUpdate(
  raw: unknown,
  streamConfig: TDesiredNodeConfig | null,
): TConfigUpdateResult {
  const isDelta = typeof raw === "object" && raw !== null && "kind" in raw;
  if (!isDelta) {
    const parsed = ZDesiredNodeConfig.safeParse(raw);
    return parsed.success
      ? { config: parsed.data }
      : { error: describeIssues(parsed.error), isResyncNeeded: false };
  }
  const delta = ZDesiredNodeConfigDelta.safeParse(raw);
  if (!delta.success) return { error: describeIssues(delta.error), isResyncNeeded: true };
  if (!streamConfig) {
    return { error: "config delta without a full config before it", isResyncNeeded: true };
  }
  try {
    const merged = ZDesiredNodeConfig.safeParse(applyConfigDelta(streamConfig, delta.data));
    return merged.success
      ? { config: merged.data }
      : { error: describeIssues(merged.error), isResyncNeeded: true };
  } catch (error) {
    if (error instanceof NetcfgError) return { error: error.message, isResyncNeeded: true };
    throw error;
  }
}

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
