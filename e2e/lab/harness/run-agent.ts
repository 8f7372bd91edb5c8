// Real agents in lab nodes: `join` (one shot) and `run --frr managed` (supervised by PID), both
// inside the node's network and mount namespaces, state in the node's folder, debug logs (every
// executed command) in the node's logs folder.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ApiClient } from "./call-api";
import type { Lab, TLabNode } from "./create-lab";
import type { TLabProcess } from "./manage-process";
import { setFrrPathspace } from "./observe-node";
import { REPO_ROOT } from "./lab-env";
import type { TLabController } from "./start-controller";

/** FRR path space the lab tells every agent to use, so vtysh -N reaches it. */
export const LAB_FRR_PATHSPACE = "meshover";

const BUNDLE = join(REPO_ROOT, "apps", "agent", "dist", "meshover-agent.mjs");
const SOURCE = join(REPO_ROOT, "apps", "agent", "src", "cli.ts");

/**
 * The agent's command: the bundle `npm run build -w @meshover/agent` makes (what npm test runs),
 * else the source; MESHOVER_LAB_AGENT=source forces the source while developing, and
 * MESHOVER_LAB_AGENT_BUNDLE=<file> runs another bundle (a bench comparing two builds).
 */
export function agentCommand(): string[] {
  // Profiling agents in a bench: e.g. "--cpu-prof --cpu-prof-dir=/tmp/agentprof".
  const nodeArgs = process.env.MESHOVER_LAB_AGENT_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const chosen = process.env.MESHOVER_LAB_AGENT_BUNDLE;
  // A named bundle that is not there is a mistake, not a reason to compare the source instead.
  if (chosen && !existsSync(chosen)) throw new Error(`MESHOVER_LAB_AGENT_BUNDLE: no ${chosen}`);
  const bundle = chosen || BUNDLE;
  if (existsSync(bundle) && process.env.MESHOVER_LAB_AGENT !== "source")
    return ["node", ...nodeArgs, bundle];
  return ["node", ...nodeArgs, "--import", "tsx", SOURCE];
}

/** The agent's state folder of node. */
export function agentStateDir(node: TLabNode) {
  return join(node.dir, "state");
}

/** The agent's log file of node (appended to across restarts). */
export function agentLogFile(node: TLabNode) {
  return join(node.dir, "logs", `${agentProcessName(node)}.log`);
}

function agentProcessName(node: TLabNode) {
  return `${node.name}-agent`;
}

const AGENT_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  MESHOVER_LOG_LEVEL: "debug",
  NODE_ENV: "production",
};

/** Options of joinAgent beyond the defaults (controller.url, `--endpoint` the underlay address). */
export interface TJoinAgentOptions {
  /** Another URL of the controller (the IPv4 one for IPv4-only nodes). */
  controllerUrl?: string;
  /** Pass no `--endpoint`: the agent detects its underlay addresses itself. */
  isEndpointDetected?: boolean;
}

/** `meshover-agent join` in node with `token`; returns how long the join took. */
export async function joinAgent(
  lab: Lab,
  node: TLabNode,
  controller: TLabController,
  token: string,
  options: TJoinAgentOptions = {},
) {
  const started = performance.now();
  await lab.exec(
    node,
    [
      ...agentCommand(),
      "join",
      "--state-dir",
      agentStateDir(node),
      ...joinArgs(node, controller, token, options),
    ],
    { timeoutMs: 60_000, env: { ...AGENT_ENV }, cwd: REPO_ROOT },
  );
  return performance.now() - started;
}

/** The `join` options for node (controller, token, its underlay endpoint and name). */
function joinArgs(
  node: TLabNode,
  controller: TLabController,
  token: string,
  options: TJoinAgentOptions = {},
) {
  return [
    "--controller",
    options.controllerUrl ?? controller.url,
    "--token",
    token,
    "--allow-http",
    ...(options.isEndpointDetected ? [] : ["--endpoint", node.underlayAddress]),
    "--name",
    node.name,
  ];
}

/**
 * `meshover-agent run --controller … --token …` in node: joins and runs in one process, the
 * one-command form (tracked by PID).
 */
export function startJoiningAgent(
  lab: Lab,
  node: TLabNode,
  controller: TLabController,
  token: string,
  logLevel: TAgentLogLevel = "debug",
): TLabProcess {
  return startAgent(lab, node, joinArgs(node, controller, token), logLevel);
}

/**
 * The agent's log level: the lab's tests read every command from the `debug` log; a bench that
 * times the agent as installed runs it at `info` (the default), where it does not serialize
 * each command's output.
 */
export type TAgentLogLevel = "debug" | "info";

/** Start `meshover-agent run --frr managed` in node (tracked by PID). */
export function startAgent(
  lab: Lab,
  node: TLabNode,
  extraArgs: string[] = [],
  logLevel: TAgentLogLevel = "debug",
): TLabProcess {
  setFrrPathspace(node, LAB_FRR_PATHSPACE);
  return lab.startInNode(
    node,
    agentProcessName(node),
    [
      ...agentCommand(),
      "run",
      "--state-dir",
      agentStateDir(node),
      "--frr",
      "managed",
      "--frr-pathspace",
      LAB_FRR_PATHSPACE,
      ...extraArgs,
    ],
    { ...AGENT_ENV, MESHOVER_LOG_LEVEL: logLevel },
  );
}

/** Stop node's agent by PID (SIGTERM, then SIGKILL). Its tunnels and FRR keep running. */
export async function stopAgent(lab: Lab, node: TLabNode) {
  await lab.stop(agentProcessName(node), 10_000);
}

/** The running agent process of node, if any. */
export function findAgent(lab: Lab, node: TLabNode) {
  return lab.processes.get(agentProcessName(node));
}

/** Node's identity and addresses as its agent received them (the cached config). */
export interface TAgentView {
  nodeId: string;
  name: string;
  index: number;
  ipv4: string;
  ipv6: string;
  version: number;
  peerIds: string[];
}

interface TCachedConfigFile {
  config: {
    version: number;
    self: { id: string; name: string; index: number; ipv4: string; ipv6: string };
    peers: { id: string }[];
  };
}

/** Read node's agent's cached config (state/config.json), or null before the first config. */
export function readAgentView(node: TLabNode): TAgentView | null {
  const file = join(agentStateDir(node), "config.json");
  if (!existsSync(file)) return null;
  const { config } = JSON.parse(readFileSync(file, "utf8")) as TCachedConfigFile;
  return {
    nodeId: config.self.id,
    name: config.self.name,
    index: config.self.index,
    ipv4: config.self.ipv4,
    ipv6: config.self.ipv6,
    version: config.version,
    peerIds: config.peers.map((peer) => peer.id),
  };
}

/** Size of node's agent log now, to read only what is written after it. */
export function markAgentLog(node: TLabNode) {
  const file = agentLogFile(node);
  return existsSync(file) ? statSync(file).size : 0;
}

/** One parsed agent log line (pino JSON). */
export interface TAgentLogLine {
  msg?: string;
  argv?: string[];
  [key: string]: unknown;
}

/** node's agent log lines written after `offset`. */
export function readAgentLog(node: TLabNode, offset = 0): TAgentLogLine[] {
  const file = agentLogFile(node);
  if (!existsSync(file)) return [];
  return readFileSync(file)
    .subarray(offset)
    .toString("utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as TAgentLogLine];
      } catch {
        return [];
      }
    });
}

/**
 * Whether an executed command (argv from the agent's debug "command" line) changes the host:
 * link/address/route changes, WireGuard settings, sysctl writes, FRR configuration or reloads,
 * starting daemons. Reads (show, dump, -json) are not.
 */
export function isModifyingCommand(argv: readonly string[]): boolean {
  const [file = "", ...args] = argv;
  const tool = file.split("/").pop() ?? "";
  const words = args.filter((arg) => !arg.startsWith("-"));
  switch (tool) {
    case "ip":
      return words.some((w) =>
        ["add", "del", "delete", "set", "replace", "change", "flush"].includes(w),
      );
    case "wg":
      return (
        words[0] === "set" ||
        words[0] === "setconf" ||
        words[0] === "addconf" ||
        words[0] === "syncconf"
      );
    case "sysctl":
      return args.includes("-w") || args.some((arg) => arg.includes("="));
    case "vtysh": {
      const commands = args.filter((_, i) => args[i - 1] === "-c");
      return (
        args.includes("-b") ||
        args.includes("-f") ||
        commands.some((c) => !/^(show|do show)\b/.test(c.trim()))
      );
    }
    case "frr-reload.py":
      return args.includes("--reload");
    case "wireguard-go":
    case "zebra":
    case "bgpd":
    case "bfdd":
    case "staticd":
    case "kill":
    case "install":
    case "chown":
    case "rm":
      return true;
    default:
      return false;
  }
}

/** The modifying commands and "applying plan" lines in node's agent log after `offset`. */
export function findModifyingCommands(node: TLabNode, offset = 0) {
  return readAgentLog(node, offset)
    .filter(
      (line) =>
        line.msg === "applying plan" ||
        line.msg === "daemon started" ||
        (line.msg === "command" && Array.isArray(line.argv) && isModifyingCommand(line.argv)),
    )
    .map((line) => (line.argv ? line.argv.join(" ") : `${line.msg}: ${JSON.stringify(line)}`));
}

/** Create an enrollment token through the API (`token.create`, as the dashboard does). */
export async function createToken(api: ApiClient, usesAllowed = 1) {
  const created = await api.mutate<{ token: string }>("token.create", {
    usesAllowed,
    ttlSec: 3600,
  });
  return created.token;
}
