// How the SSH install runs the agent on a server: where its files go, which FRR mode it uses,
// and the systemd unit or (without systemd) the supervisor script that keeps it running. Pure:
// the bootstrap sends what this renders; tests and the lab read the same paths.

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

/** The agent's `run` arguments for `frrMode`. */
export function buildAgentRunArgs(frrMode: TAgentFrrMode): string[] {
  return frrMode === "managed"
    ? ["run", "--frr", "managed", "--frr-pathspace", MANAGED_FRR_PATHSPACE]
    : ["run", "--frr", "system"];
}

/**
 * The systemd unit. KillMode=process: a restarted or stopped agent leaves wireguard-go and its
 * FRR daemons running (the agent adopts them again on start), so an agent restart is no outage.
 */
export function renderSystemdUnit(runArgs: readonly string[]): string {
  return `[Unit]
Description=meshover agent
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/bin/env node ${REMOTE_AGENT} ${runArgs.join(" ")}
Restart=always
RestartSec=2
KillMode=process

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The supervisor for servers without systemd: writes its own PID to {@link REMOTE_PID_FILE},
 * runs the agent and restarts it 2 s after it exits. SIGTERM (or SIGINT) stops the agent with
 * SIGTERM, waits for it and removes the PID file, so one `kill $(cat agent.pid)` stops both.
 */
export function renderSupervisorScript(runArgs: readonly string[]): string {
  return `#!/bin/sh
# meshover agent supervisor (installed over SSH; the server has no systemd).
# Stop: kill $(cat ${REMOTE_PID_FILE})   Log: ${REMOTE_LOG_FILE}
echo $$ > ${REMOTE_PID_FILE}
child=
stop() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi
  rm -f ${REMOTE_PID_FILE}
  exit 0
}
trap stop TERM INT
while :; do
  node ${REMOTE_AGENT} ${runArgs.join(" ")} &
  child=$!
  wait "$child"
  echo "meshover supervisor: agent exited with $?, restarting in 2 s"
  child=
  sleep 2
done
`;
}

/**
 * Shell that starts the supervisor in its own session, detached from the SSH channel; an older
 * supervisor (a re-install) is stopped first so two agents never run at once.
 */
export function buildStartSupervisorCommand(): string {
  const isOldAlive = `[ -f ${REMOTE_PID_FILE} ] && kill -0 "$(cat ${REMOTE_PID_FILE})" 2>/dev/null`;
  return [
    `mkdir -p ${REMOTE_RUN_DIR} ${REMOTE_LOG_DIR}`,
    `if ${isOldAlive}; then kill -TERM "$(cat ${REMOTE_PID_FILE})"; i=0; while ${isOldAlive} && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi`,
    `nohup setsid sh ${REMOTE_SUPERVISOR} >>${REMOTE_LOG_FILE} 2>&1 </dev/null &`,
  ].join("; ");
}

/** Shell that waits (5 s at most) for the supervisor's PID file and prints the live PID. */
export function buildReadSupervisorPidCommand(): string {
  return `i=0; while [ $i -lt 50 ]; do if [ -f ${REMOTE_PID_FILE} ] && kill -0 "$(cat ${REMOTE_PID_FILE})" 2>/dev/null; then cat ${REMOTE_PID_FILE}; exit 0; fi; sleep 0.1; i=$((i+1)); done; echo "no live supervisor after 5 s; see ${REMOTE_LOG_FILE}" >&2; exit 1`;
}
