// On failure: copy every log the run wrote (agents, controller, FRR, holders) and dump each
// node's FRR JSON, `wg show all dump` and kernel state into .artifacts/lab/<test>/, with a
// digest.txt of what is down (npm test prints it at the end, where CI's tail shows it).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBfdPeers, parseBgpNeighbors, parseWgDump, type TBgpNeighbor } from "@meshover/netcfg";
import type { Lab, TLabNode } from "./create-lab";
import { REPO_ROOT } from "./lab-env";
import { collectNodeDumps, describeHandshake } from "./observe-node";
import { readAgentLog } from "./run-agent";

/** Where a test's artifacts go. */
export function artifactDir(testName: string) {
  const safe = testName.replaceAll(/[^A-Za-z0-9._-]+/g, "-").slice(0, 100);
  return join(REPO_ROOT, ".artifacts", "lab", safe);
}

/** Save logs and dumps of every node of `lab` for `testName`; returns the folder. */
export async function saveArtifacts(
  lab: Lab,
  testName: string,
  extra: Record<string, string> = {},
) {
  const dir = artifactDir(testName);
  const digest: string[] = [`lab ${lab.runId}, test "${testName}"`];
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(lab.dir, "logs")))
    cpSync(join(lab.dir, "logs"), join(dir, "logs"), { recursive: true });
  writeFileSync(join(dir, "lab.json"), JSON.stringify(lab.record, null, 2));
  for (const node of lab.nodes.values()) {
    const nodeDir = join(dir, node.name);
    mkdirSync(nodeDir, { recursive: true });
    if (existsSync(join(node.dir, "logs")))
      cpSync(join(node.dir, "logs"), join(nodeDir, "logs"), { recursive: true });
    // The agent's daemon logs (FRR, wireguard-go) live in its state folder; never copy keys.
    const daemonLogs = join(node.dir, "state", "logs");
    if (existsSync(daemonLogs))
      cpSync(daemonLogs, join(nodeDir, "daemon-logs"), { recursive: true });
    // FRR's own config and log files, when the agent keeps them there.
    if (existsSync(join(node.dir, "etc-frr")))
      cpSync(join(node.dir, "etc-frr"), join(nodeDir, "etc-frr"), { recursive: true });
    const dumps = await collectNodeDumps(lab, node);
    for (const [file, text] of Object.entries(dumps)) writeFileSync(join(nodeDir, file), text);
    digest.push(...digestNode(node, dumps));
  }
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, "digest.txt"), `${digest.join("\n")}\n`);
  return dir;
}

/** Raw fields of one neighbor in `show bgp neighbors json` that parseBgpNeighbors leaves out. */
interface TRawNeighbor {
  nextStartTimerDueInMsecs?: number;
  nextConnectTimerDueInMsecs?: number;
  messageStats?: { notificationsSent?: number; notificationsRecv?: number };
}

/**
 * Why a session is down as bgpd tells it: the last reset and when, how often it came up and
 * went, NOTIFICATIONs both ways (bgpd doubles a peer's idle time, up to 120 s, on each one it
 * sends until a session is Established) and when it tries next.
 */
function describeReset(neighbor: TBgpNeighbor, raw: TRawNeighbor | undefined): string {
  const seconds = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? "-" : `${Math.round(ms / 1000)} s`;
  const parts = [
    `last reset "${neighbor.lastResetReason ?? "-"}" ${seconds(neighbor.lastResetMsecAgo)} ago`,
    `up ${neighbor.connectionsEstablished}x, dropped ${neighbor.connectionsDropped}x`,
  ];
  if (!raw) return parts.join(", ");
  parts.push(
    `notifications sent ${raw.messageStats?.notificationsSent ?? "-"}, received ${raw.messageStats?.notificationsRecv ?? "-"}`,
  );
  if (raw.nextStartTimerDueInMsecs !== undefined)
    parts.push(`next start in ${seconds(raw.nextStartTimerDueInMsecs)}`);
  if (raw.nextConnectTimerDueInMsecs !== undefined)
    parts.push(`next connect in ${seconds(raw.nextConnectTimerDueInMsecs)}`);
  return parts.join(", ");
}

/**
 * A few lines on what of node's routing is not up: each BGP session not Established or whose
 * BFD is not up, with bgpd's reason, its BFD peers and the tunnel's last handshake; BFD
 * sessions bound to no tunnel; the agent's last warnings and errors.
 */
function digestNode(node: TLabNode, dumps: Record<string, string>): string[] {
  const lines: string[] = [];
  // A dump may hold an error instead of the output: say so once and go on without it.
  const parse = <T>(file: string, parser: (text: string) => T[]): T[] => {
    try {
      return parser(dumps[file] ?? "");
    } catch {
      lines.push(`  ${file} unreadable: ${(dumps[file] ?? "").slice(0, 80).replaceAll("\n", " ")}`);
      return [];
    }
  };
  const neighbors = parse("bgp-neighbors.json", parseBgpNeighbors);
  // The same dump again for the fields parseBgpNeighbors leaves out (unreadable: said above).
  const raw = (() => {
    try {
      return JSON.parse(dumps["bgp-neighbors.json"] ?? "") as Record<string, TRawNeighbor>;
    } catch {
      return undefined;
    }
  })();
  const bfd = parse("bfd-peers.json", parseBfdPeers);
  const wireguard = parse("wg-dump.txt", parseWgDump);
  const bad = neighbors.filter((n) => !n.isEstablished || (n.bfdStatus ?? "Up") !== "Up");
  lines.push(`  ${neighbors.length - bad.length}/${neighbors.length} sessions Established, BFD up`);
  for (const neighbor of bad) {
    const peers = bfd
      .filter((p) => p.interface === neighbor.name)
      .map((p) => `${p.peer} ${p.status} local ${p.local ?? "-"}`);
    const handshake = describeHandshake(wireguard.find((d) => d.name === neighbor.name));
    lines.push(
      `  ${neighbor.name} (${neighbor.description ?? "?"}): BGP ${neighbor.state}, peer ${neighbor.peerAddress ?? "unknown"}, bfd ${neighbor.bfdStatus ?? "-"} [${peers.join("; ") || "no BFD peer"}], ${handshake}`,
      `    ${describeReset(neighbor, raw?.[neighbor.name])}`,
    );
  }
  for (const p of bfd.filter((p) => !p.isMultihop && !p.interface))
    lines.push(`  BFD peer ${p.peer} ${p.status} bound to no interface`);
  const warnings = readAgentLog(node)
    .filter((line) => typeof line.level === "number" && line.level >= 40)
    .slice(-6)
    .map((line) => {
      const { level, time, pid: _pid, hostname: _host, msg, ...rest } = line;
      const when = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "";
      return `  agent ${level === 40 ? "warn" : "error"} ${when} ${msg ?? ""} ${JSON.stringify(rest).slice(0, 300)}`;
    });
  return [`${node.name}:`, ...lines, ...warnings];
}

/** Write a lab test's measured figures to .artifacts/lab/<file> (for the report) and print them. */
export function writeLabFigures(file: string, figures: Record<string, unknown>) {
  mkdirSync(join(REPO_ROOT, ".artifacts", "lab"), { recursive: true });
  writeFileSync(join(REPO_ROOT, ".artifacts", "lab", file), JSON.stringify(figures, null, 2));
  console.log(`[lab] ${file}: ${JSON.stringify(figures)}`);
}

/**
 * A `beforeEach` hook saving the artifacts of a failed test (the lab from `getLab`, when the
 * lab exists by then).
 */
export function saveArtifactsOnFailure(getLab: () => Lab | undefined) {
  return ({
    onTestFailed,
    task,
  }: {
    onTestFailed: (handler: () => Promise<void>) => void;
    task: { name: string };
  }) => {
    onTestFailed(async () => {
      const lab = getLab();
      if (!lab) return;
      const dir = await saveArtifacts(lab, task.name);
      console.error(`[lab] artifacts of the failed test saved in ${dir}`);
    });
  };
}
