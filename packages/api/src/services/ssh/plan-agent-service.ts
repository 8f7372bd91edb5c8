// Where the installer (apps/agent/packaging/install.sh, which the SSH install runs) puts the
// agent on a server without systemd, and which FRR mode a server gets. Pure: the bootstrap and
// the lab read the same paths.

/** Where the agent lives on a server. */
export const REMOTE_DIR = "/usr/local/lib/meshover";
/** The uploaded agent bundle. */
export const REMOTE_AGENT = `${REMOTE_DIR}/meshover-agent.mjs`;
/** The supervisor script used when the server has no systemd. */
export const REMOTE_SUPERVISOR = `${REMOTE_DIR}/supervise-agent.sh`;
/** Folder of the supervisor's PID file (the supervisor's own PID: stop it to stop the agent). */
export const REMOTE_RUN_DIR = "/run/meshover";
/** The supervisor's PID file. `kill $(cat …)` stops the supervisor and the agent it runs. */
export const REMOTE_PID_FILE = `${REMOTE_RUN_DIR}/agent.pid`;
/** Folder of the supervised agent's log. */
export const REMOTE_LOG_DIR = "/var/log/meshover";
/** The supervised agent's log (appended to across restarts). */
export const REMOTE_LOG_FILE = `${REMOTE_LOG_DIR}/agent.log`;
/** The FRR path space (`-N`) of an agent that runs its own FRR daemons. */
export const MANAGED_FRR_PATHSPACE = "meshover";

/** How the agent drives FRR: the system's FRR, or its own daemons in a path space. */
export type TAgentFrrMode = "system" | "managed";

/** What the admin asked for in the form ("auto" decides from the preflight). */
export type TRequestedFrrMode = TAgentFrrMode | "auto";

/**
 * The FRR mode for a server: a running system bgpd gets the agent's configuration added to it
 * (two bgpd in one network namespace would fight over port 179 and the routing table); otherwise
 * the agent starts its own zebra/bgpd/bfdd, which needs no FRR service at all.
 */
export function chooseFrrMode(
  requested: TRequestedFrrMode,
  facts: { isSystemFrrRunning: boolean },
): TAgentFrrMode {
  if (requested !== "auto") return requested;
  return facts.isSystemFrrRunning ? "system" : "managed";
}
