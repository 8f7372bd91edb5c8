// Where a cold mesh's time goes (bench:lab's cold-mesh part): per agent, the milliseconds after
// all agents were started at which each step of its cold path happened, read from its own log
// (pino lines carry epoch ms) and from FRR's session uptimes; printed as min / median / max over
// the agents, plus how many config versions each agent received and how many passes it ran.
import { readFileSync } from "node:fs";
import type { TMeshMember } from "../lab/harness/start-mesh";
import { readBgpNeighbors } from "../lab/harness/observe-node";
import { readAgentLog, type TAgentLogLine } from "../lab/harness/run-agent";

/** One agent's cold path, ms after the start of all agents (null: the step is not in its log). */
export interface TColdPhases {
  runStart: number | null;
  joinSent: number | null;
  joined: number | null;
  firstConfig: number | null;
  frrStarted: number | null;
  firstTunnels: number | null;
  /** The first config listing every other node. */
  fullConfig: number | null;
  /** The pass that applied it (tunnels to every peer and their FRR neighbors). */
  fullApplied: number | null;
  firstBgpUp: number | null;
  lastBgpUp: number | null;
  /** Config versions the agent received (pushes to it). */
  configsReceived: number;
  /** Reconcile passes that changed something. */
  changingPasses: number;
}

/** Phases in the order the table prints them, with a label each. */
export const COLD_PHASE_LABELS: [keyof TColdPhases, string][] = [
  ["runStart", "agent process logging"],
  ["joinSent", "join request sent"],
  ["joined", "join response"],
  ["firstConfig", "first config received"],
  ["frrStarted", "managed FRR started"],
  ["firstTunnels", "first pass applied (tunnels up)"],
  ["fullConfig", "config with all peers received"],
  ["fullApplied", "config with all peers applied"],
  ["firstBgpUp", "first BGP session Established"],
  ["lastBgpUp", "last BGP session Established"],
];

/** Read `member`'s cold-path phases; `peerCount` is how many other nodes the mesh has. */
export async function readColdPhases(
  member: TMeshMember,
  startedEpoch: number,
  peerCount: number,
): Promise<TColdPhases> {
  const lines = readAgentLog(member.node);
  const since = (line: TAgentLogLine | undefined) =>
    typeof line?.time === "number" ? Math.round(line.time - startedEpoch) : null;
  const find = (predicate: (line: TAgentLogLine) => boolean) => since(lines.find(predicate));
  const configs = lines.filter((l) => l.msg === "config received");
  const full = configs.find((l) => l.peers === peerCount);
  const fullVersion = typeof full?.version === "number" ? full.version : Number.POSITIVE_INFINITY;
  const passes = lines.filter((l) => l.msg === "reconciled");
  // Established times from bgpd's own uptime counters (ms precision, no polling).
  const now = Date.now();
  const upMs = [...(await readBgpNeighbors(member.node)).values()]
    .map((neighbor) => neighbor.uptimeMsec)
    .filter((value): value is number => typeof value === "number")
    .map((uptime) => Math.round(now - uptime - startedEpoch));
  return {
    runStart: since(lines[0]),
    joinSent: find((l) => l.msg === "join request sent"),
    joined: find((l) => l.msg === "joined"),
    firstConfig: since(configs[0]),
    frrStarted: find((l) => l.msg === "managed FRR started"),
    firstTunnels: find((l) => l.msg === "reconciled" && (l.operations as number) > 0),
    fullConfig: since(full),
    fullApplied: since(
      passes.find((l) => (l.version as number) >= fullVersion && l.error === null),
    ),
    firstBgpUp: upMs.length > 0 ? Math.min(...upMs) : null,
    lastBgpUp: upMs.length === peerCount ? Math.max(...upMs) : null,
    configsReceived: configs.length,
    changingPasses: passes.filter((l) => (l.operations as number) > 0).length,
  };
}

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return sorted.length === 0 ? null : { min: sorted[0]!, median: at(0.5), max: at(1) };
};

/** The phase table of one cold run: one row per phase, min / median / max over the agents. */
export function formatColdPhases(phases: TColdPhases[], reachMs: number): string[] {
  const rows: string[][] = [["phase (ms after start)", "min", "median", "max"]];
  for (const [key, label] of COLD_PHASE_LABELS) {
    const values = phases.map((p) => p[key]).filter((v): v is number => typeof v === "number");
    const q = quantiles(values);
    const missing = phases.length - values.length;
    rows.push([
      missing > 0 ? `${label} (${missing} missing)` : label,
      ...(q ? [q.min, q.median, q.max].map(String) : ["-", "-", "-"]),
    ]);
  }
  rows.push(["all pairs answer pings", "", "", String(Math.round(reachMs))]);
  for (const [key, label] of [
    ["configsReceived", "config versions received per agent"],
    ["changingPasses", "changing reconcile passes per agent"],
  ] as const) {
    const q = quantiles(phases.map((p) => p[key]))!;
    rows.push([label, String(q.min), String(q.median), String(q.max)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  "),
  );
}

/** The controller's mesh compiles since `startedEpoch` (its "mesh compiled" log lines). */
export function readControllerCompiles(logFile: string, startedEpoch: number) {
  const compiles = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"mesh compiled"'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { time: number; ms: number; version: number }];
      } catch {
        return [];
      }
    })
    .filter((line) => line.time >= startedEpoch);
  const times = compiles.map((c) => c.ms);
  return {
    count: compiles.length,
    totalMs: times.reduce((a, b) => a + b, 0),
    maxMs: times.length > 0 ? Math.max(...times) : 0,
    lastAtMs: compiles.length > 0 ? Math.max(...compiles.map((c) => c.time)) - startedEpoch : null,
  };
}
