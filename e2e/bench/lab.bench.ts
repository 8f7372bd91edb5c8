// `npm run bench:lab` (root): figures of the real mesh in the lab. Prints a table; never asserts.
//  - join → full reachability for N = 4, 8, 12: a converged mesh of N-1 nodes, then node N joins
//    with `run --controller … --token …` (timed from that command to every pair with it
//    answering pings); median of 3 joins,
//    each joined node removed through the API before the next
//  - cold mesh for N = 4, 8, 12: N fresh namespaces configured by hand (wireguard-go, FRR, BFD
//    as the agent sets them; no controller), time to all pairs answering; then the same
//    namespaces wiped and N agents started at once (`run --controller … --token …`); the ratio,
//    and a phase table (cold-phases.ts: each agent's steps, the controller's compiles).
//    Only the cold part: `BENCH_LAB_SIZES= npm run bench:lab -- --no-suite`
//  - failover (underlay cut → every other node withdrew the node's routes), median of 5, N = 8:
//    settled (BFD up everywhere), and early: the node that just joined is cut 2 s after its
//    last pair first answered a ping (each of the 5 joins at N = 8), with how long each of its
//    BGP sessions ran before BFD was up (bgpd's view, polled)
//  - key rotation, N = 8, 5 times on an idle mesh and 5 times under 10 pps probes on every
//    directed pair (both families): click → done (median), lost probes per pair, and whether a
//    pair was ever without an Established BGP session or another pair's session reset
//  - agent CPU and RSS in a steady 8-node mesh (30 s)
//  - wall time of the whole lab test suite (skip with --no-suite)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import {
  configureByHand,
  generateKeyPair,
  handIpv4Of,
  handIpv6Of,
} from "../lab/harness/configure-by-hand";
import type { TLabNode } from "../lab/harness/create-lab";
import { REPO_ROOT } from "../lab/harness/lab-env";
import { readAgentTicks } from "./agent-cpu";
import { formatColdPhases, readColdPhases, readControllerCompiles } from "./cold-phases";
import { readBfdPeers, readBgpNeighbors, readWireguard } from "../lab/harness/observe-node";
import { startProbes, summarizeProbes } from "../lab/harness/probe-mesh";
import { rotateKeyAndWatch, type TRotationRun } from "../lab/harness/rotate-key";
import { saveArtifacts } from "../lab/harness/save-artifacts";
import {
  agentLogFile,
  createToken,
  findAgent,
  readAgentLog,
  startJoiningAgent,
  stopAgent,
  type TAgentLogLine,
} from "../lab/harness/run-agent";
import {
  LabMesh,
  listPairs,
  timeWithdrawal,
  waitForBfdUp,
  waitForReachability,
  waitForSessions,
  type TMeshMember,
} from "../lab/harness/start-mesh";
import { sleep, waitUntil } from "../lab/harness/wait-until";
import { watchBfdLag } from "../lab/harness/watch-bfd";

/**
 * BENCH_LAB_ONLY=rotation measures the key rotations alone, on a fresh 8-node mesh (no joins,
 * cold meshes, failovers, agent load or suite).
 */
const isRotationOnly = process.env.BENCH_LAB_ONLY === "rotation";
/** Mesh sizes to time joins at (BENCH_LAB_SIZES=8 to look at one); 8 also runs the rest. */
const SIZES = (isRotationOnly ? "" : (process.env.BENCH_LAB_SIZES ?? "4,8,12"))
  .split(",")
  .map(Number)
  .filter(Boolean);
/** Cold-mesh sizes (BENCH_LAB_COLD_SIZES= to skip). */
const COLD_SIZES = (isRotationOnly ? "" : (process.env.BENCH_LAB_COLD_SIZES ?? "4,8,12"))
  .split(",")
  .map(Number)
  .filter(Boolean);
const TRIALS = Number(process.env.BENCH_LAB_TRIALS ?? 3);
/** Key rotations measured at N = 8, idle and under probes each (BENCH_LAB_ROTATIONS). */
const ROTATIONS = Number(process.env.BENCH_LAB_ROTATIONS ?? 5);
/** Failover cuts, settled and early (the early ones need as many joins at N = 8). */
const FAILOVER_TRIALS = Number(process.env.BENCH_LAB_FAILOVER_TRIALS ?? 5);
const isSuiteRun = !process.argv.includes("--no-suite") && !isRotationOnly;
const databaseServerUrl = process.env.DATABASE_URL;
const log = (line: string) => console.log(`  ${line}`);
/** The 1-minute load average (the machine is shared: every figure depends on it). */
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0] ?? "?";

/** Tasks runnable right now, kernel threads included (`procs_running` in /proc/stat). */
const readRunnable = () =>
  Number(/^procs_running (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1] ?? 0);

/**
 * Wait until the machine is quiet: at most as many runnable tasks as CPUs (this process's
 * own read included) in every sample of the last second, or 20 s. Both sides of a cold-mesh
 * comparison start from that, so neither inherits the other's work or a neighbour's burst (on
 * 7 Dec both found the machine quiet at once, the agents right after the hand-built mesh's
 * daemons were stopped too). Returns how long it waited (ms).
 */
async function waitForQuietMachine(cpus: number) {
  const started = performance.now();
  let quietSince = started;
  while (performance.now() - started < 20_000) {
    if (readRunnable() > cpus) quietSince = performance.now();
    else if (performance.now() - quietSince >= 1000) break;
    await sleep(50);
  }
  return performance.now() - started;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Join a new node into `mesh`, timed from the join command to full reachability. */
interface TRotationTrial {
  node: string;
  /** Until key.rotate answered (the rotation stored, the mesh changed). */
  mutatedMs: number;
  doneMs: number;
  /** Request to finish by the controller's clock. */
  finishedMs: number;
  settledMs: number;
  lost: number;
  worstPair: string;
  worstPairLost: number;
  /** Samples where a pair had no Established BGP session. */
  gaps: number;
  /** Sessions of other pairs that reset. */
  resets: number;
}

interface TRotationFigures {
  pps: number;
  pairs: number;
  idle: TRotationTrial[];
  busy: TRotationTrial[];
}

function toRotationTrial(
  node: string,
  run: TRotationRun,
  probes?: ReturnType<typeof summarizeProbes>,
) {
  return {
    node,
    mutatedMs: run.mutatedMs,
    doneMs: run.doneMs,
    finishedMs: run.finishedMs,
    settledMs: run.settledMs,
    lost: probes?.lost ?? 0,
    worstPair: probes?.worst.pair ?? "",
    worstPairLost: probes?.worst.lost ?? 0,
    gaps: run.gaps.length,
    resets: run.resets.length,
  };
}

/** BENCH_LAB_SAVE_LOGS=DIR keeps every agent's log and the controller's, named `<prefix>-…`. */
function saveLogs(mesh: LabMesh, prefix: string) {
  const saveDir = process.env.BENCH_LAB_SAVE_LOGS;
  if (!saveDir) return;
  mkdirSync(saveDir, { recursive: true });
  for (const member of mesh.members.values())
    copyFileSync(agentLogFile(member.node), join(saveDir, `${prefix}-${member.node.name}.log`));
  const controllerLog = mesh.controller.process?.logFile;
  if (controllerLog) copyFileSync(controllerLog, join(saveDir, `${prefix}-controller.log`));
}

/** How long the probes of one rotation under traffic run (from 1.5 s before the click). */
const ROTATION_PROBE_SEC = 40;

/** `count` rotations on an idle mesh, then `count` under 10 pps on every directed pair. */
async function measureRotations(mesh: LabMesh, count: number): Promise<TRotationFigures> {
  const members = [...mesh.members.values()];
  const pairs = listPairs(members);
  const figures: TRotationFigures = { pps: 10, pairs: pairs.length, idle: [], busy: [] };
  for (let i = 0; i < count * 2; i++) {
    const isBusy = i >= count;
    const rotated = members[i % members.length]!;
    await waitForSessions(members, 60_000);
    // Long enough to cover the old tunnels' retirement too (checked below).
    const probes = isBusy ? startProbes(pairs, { pps: 10, durationSec: ROTATION_PROBE_SEC }) : null;
    if (probes) await sleep(1500);
    let run: TRotationRun;
    try {
      run = await rotateKeyAndWatch(mesh, rotated);
    } catch (error) {
      // One trial that could not be watched (a vtysh read timed out on an overloaded machine)
      // is reported and left out of the figures; the others still count.
      await probes?.done;
      log(`key rotation ${i + 1} (${rotated.node.name}) not measured: ${String(error)}`);
      continue;
    }
    const summary = probes ? summarizeProbes(await probes.done) : undefined;
    const trial = toRotationTrial(rotated.node.name, run, summary);
    (isBusy ? figures.busy : figures.idle).push(trial);
    log(
      `key rotation ${i + 1} (${isBusy ? "10 pps on every pair" : "idle"}, ${trial.node}): click answered ${trial.mutatedMs.toFixed(0)} ms, finished ${trial.finishedMs.toFixed(0)} ms (controller clock), seen done ${trial.doneMs.toFixed(0)} ms, old tunnels gone ${trial.settledMs.toFixed(0)} ms, lost ${trial.lost} (worst ${trial.worstPair} ${trial.worstPairLost}), pairs without a session ${trial.gaps}, other sessions reset ${trial.resets}`,
    );
    if (isBusy && run.settledMs + 1500 > ROTATION_PROBE_SEC * 1000)
      log(`  (probes ended before the old tunnels were gone: later losses are not counted)`);
  }
  return figures;
}

async function timeJoin(mesh: LabMesh, index: number) {
  const token = await createToken(mesh.api, 1);
  const node = await mesh.lab.addNode(index);
  const started = performance.now();
  const startedEpoch = Date.now();
  // The one-command form (`run --controller … --token …`): join and run in one process.
  startJoiningAgent(mesh.lab, node, mesh.controller, token);
  const bfdWatch = watchBfdLag(node, { sessions: mesh.members.size, timeoutMs: 60_000 });
  const member = await mesh.waitForConfig(node);
  const probingFrom = performance.now() - started;
  const reach = await waitForReachability(
    listPairs([...mesh.members.values()], member),
    60_000,
    0.25,
  );
  // Full reachability: when the last pair first answered (a final round confirmed all still do).
  const ms = probingFrom + reach.elapsedMs;
  // BENCH_LAB_SAVE_LOGS=DIR keeps each joining agent's log (every command with its duration).
  const saveDir = process.env.BENCH_LAB_SAVE_LOGS;
  if (saveDir) {
    mkdirSync(saveDir, { recursive: true });
    copyFileSync(agentLogFile(node), join(saveDir, `join-${node.name}.log`));
  }
  // When each BGP session of the new node came up (ms after the start), from FRR's own
  // uptime counters: the last step of a join, measured to the millisecond.
  const now = Date.now();
  const sessions = await readBgpNeighbors(node);
  const upMs = [...sessions.values()]
    .map((neighbor) => neighbor.uptimeMsec)
    .filter((value): value is number => typeof value === "number")
    .map((uptime) => now - uptime - startedEpoch);
  const bfd = await bfdWatch;
  return {
    member,
    ms,
    /** performance.now() when the last pair first answered. */
    reachedAt: started + ms,
    /** Longest time one of its BGP sessions was Established before BFD was up (ms). */
    bfdLagMs: Math.max(...bfd.lags.map((lag) => lag.lagMs)),
    bfdPollGapMs: bfd.longestPollGapMs,
    timeline: {
      ...readJoinTimeline(member, startedEpoch),
      bgpUpMs: [Math.min(...upMs), Math.max(...upMs)],
    },
  };
}

/**
 * Where a join's time goes, from the new agent's log (epoch ms in each pino line): milliseconds
 * after `startedEpoch` of its first config, FRR start, first reconcile, and last BGP session up.
 */
function readJoinTimeline(member: TMeshMember, startedEpoch: number) {
  const lines = readAgentLog(member.node);
  const at = (predicate: (line: TAgentLogLine) => boolean, isLast = false) => {
    const hits = lines.filter(predicate);
    const hit = isLast ? hits[hits.length - 1] : hits[0];
    return typeof hit?.time === "number" ? Math.round(hit.time - startedEpoch) : null;
  };
  return {
    runStartMs: at(() => true),
    joinedMs: at((l) => l.msg === "joined"),
    streamMs: at((l) => l.msg === "config stream connected"),
    configMs: at((l) => l.msg === "config received"),
    frrStartedMs: at((l) => l.msg === "managed FRR started"),
    tunnelsBuiltMs: at((l) => l.msg === "reconciled" && (l.operations as number) > 0),
  };
}

/**
 * Cold mesh of `n`: a hand-built mesh in n fresh namespaces (all configured at once), then the
 * same namespaces wiped and n agents joining at once. Each timed from its start to every pair
 * answering pings (IPv4 and IPv6).
 */
async function timeColdMesh(n: number) {
  const mesh = await LabMesh.start({ nodes: 0, databaseServerUrl });
  try {
    const nodes: TLabNode[] = [];
    for (let index = 1; index <= n; index++) nodes.push(await mesh.lab.addNode(index));
    const keys = new Map<TLabNode, { priv: string; pub: string }>();
    for (const node of nodes) keys.set(node, await generateKeyPair());
    const handMembers: TMeshMember[] = nodes.map((node) => ({
      node,
      view: {
        nodeId: node.name,
        name: node.name,
        index: node.index,
        ipv4: handIpv4Of(node),
        ipv6: handIpv6Of(node),
        version: 0,
        peerIds: [],
      },
    }));
    const cpus = availableParallelism();
    const handQuietMs = await waitForQuietMachine(cpus);
    const handStarted = performance.now();
    await Promise.all(
      nodes.map((node) =>
        configureByHand(
          mesh.lab,
          node,
          nodes.filter((peer) => peer !== node),
          keys,
        ),
      ),
    );
    const handConfiguredMs = performance.now() - handStarted;
    const handReach = await waitForReachability(listPairs(handMembers), 60_000);
    const handMs = handConfiguredMs + handReach.elapsedMs;
    for (const node of nodes) {
      await mesh.lab.wipeDataPlane(node);
      rmSync(join(node.dir, "state", "wg.key"), { force: true });
    }

    const token = await createToken(mesh.api, n);
    const agentsQuietMs = await waitForQuietMachine(cpus);
    log(
      `quiet before each side (runnable tasks ≤ ${cpus} for 1 s): hand-built waited ${Math.round(handQuietMs)} ms, agents ${Math.round(agentsQuietMs)} ms`,
    );
    const started = performance.now();
    const startedEpoch = Date.now();
    // At the default log level, as installed agents run (the phases below are info lines);
    // BENCH_LAB_COLD_LOG_LEVEL=debug logs every command with its duration (and costs CPU).
    const logLevel = process.env.BENCH_LAB_COLD_LOG_LEVEL === "debug" ? "debug" : "info";
    for (const node of nodes) startJoiningAgent(mesh.lab, node, mesh.controller, token, logLevel);
    // CPU the agents spent in their first 8 s (before the mesh answers): their own, and the
    // commands they ran (reaped children; wireguard-go and FRR still run and are not in it).
    // On a 2-core machine this is what competes with the data plane's start.
    const agentCpu = sleep(COLD_CPU_WINDOW_MS).then(() =>
      nodes.map((node) => readProcessCpu(findAgent(mesh.lab, node)!.pid)),
    );
    const members = await Promise.all(nodes.map((node) => mesh.waitForConfig(node, 60_000)));
    const probingFrom = performance.now() - started;
    const reach = await waitForReachability(listPairs(members), 120_000);
    const agentMs = probingFrom + reach.elapsedMs;
    console.log(
      `  last pairs to answer (ms after probing began at ${Math.round(probingFrom)} ms): ${reach.latest.join(", ")}`,
    );
    // Where the agents' time went: each step of each agent's cold path, and the controller's
    // compiles (one per mesh version it pushed).
    const phases = await Promise.all(
      members.map((member) => readColdPhases(member, startedEpoch, n - 1)),
    );
    const controllerLog = mesh.controller.process?.logFile;
    const compiles = controllerLog ? readControllerCompiles(controllerLog, startedEpoch) : null;
    saveLogs(mesh, `cold${n}`);
    return {
      n,
      handMs,
      handConfiguredMs,
      agentMs,
      phases,
      compiles,
      reachMs: agentMs,
      agentCpu: await agentCpu,
    };
  } catch (error) {
    const dir = await saveArtifacts(mesh.lab, `bench-cold-n${n}`);
    console.error(`  artifacts in ${dir}`);
    throw error;
  } finally {
    await mesh.destroy();
  }
}

/** Remove `member` through the API and wait until no peer has a tunnel to it any more. */
async function removeMember(mesh: LabMesh, member: TMeshMember) {
  await mesh.api.mutate("node.remove", { nodeId: member.view.nodeId });
  await stopAgent(mesh.lab, member.node);
  await mesh.lab.wipeDataPlane(member.node);
  mesh.forget(member.node.name);
  const members = [...mesh.members.values()];
  await waitUntil(
    { name: `${member.node.name}'s tunnels removed`, timeoutMs: 30_000 },
    async () => {
      const counts = await Promise.all(
        members.map(async (m) => (await readWireguard(m.node)).size),
      );
      return { isDone: counts.every((c) => c === members.length - 1), state: counts.join(",") };
    },
  );
}

/** Cut `cut`'s underlay; time until every other member withdrew its addresses. */
async function timeFailover(mesh: LabMesh, cut: TMeshMember) {
  const members = [...mesh.members.values()];
  await waitForBfdUp(members);
  try {
    return (await timeWithdrawal(mesh, cut, 15_000)).elapsedMs;
  } finally {
    await waitForReachability(listPairs(members, cut), 60_000);
    await waitForSessions(members, 60_000);
  }
}

/** Delay after a pair's first ping for the early failover figure. */
const EARLY_CUT_MS = 2000;

/**
 * Cut `cut` EARLY_CUT_MS after `reachedAt` (its last pair's first answer), before anything else
 * settles: is a pair that can ping already protected by BFD? Returns the withdrawal time and
 * when the cut actually happened (later than planned if the confirming ping round was slow).
 */
async function timeEarlyFailover(mesh: LabMesh, cut: TMeshMember, reachedAt: number) {
  // The node's BFD sessions just before the cut (read ~100 ms early): were they up yet?
  await sleep(Math.max(0, reachedAt + EARLY_CUT_MS - 100 - performance.now()));
  const bfd = await readBfdPeers(cut.node);
  const bfdUp = `${bfd.filter((peer) => peer.status === "up").length}/${bfd.length}`;
  await sleep(Math.max(0, reachedAt + EARLY_CUT_MS - performance.now()));
  const cutAfterMs = performance.now() - reachedAt;
  try {
    return { ms: (await timeWithdrawal(mesh, cut, 15_000)).elapsedMs, cutAfterMs, bfdUp };
  } finally {
    const members = [...mesh.members.values()];
    await waitForReachability(listPairs(members, cut), 60_000);
    await waitForSessions(members, 60_000);
  }
}

/** The window of the cold bench's agent CPU figure. */
const COLD_CPU_WINDOW_MS = 8000;

/** CPU seconds of agent `pid` so far: its own, and its commands' (see agent-cpu.ts). */
function readProcessCpu(pid: number) {
  const ticksPerSec =
    Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const ticks = readAgentTicks(pid);
  return { own: ticks.own / ticksPerSec, children: ticks.commands / ticksPerSec };
}

/** CPU (% of one core) and RSS (MiB) of every agent over `seconds`. */
async function measureAgents(mesh: LabMesh, seconds: number) {
  const ticksPerSec =
    Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const pids = [...mesh.members.values()].map((m) => findAgent(mesh.lab, m.node)!.pid);
  const readTicks = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  };
  const before = pids.map(readTicks);
  await sleep(seconds * 1000);
  const cpu = pids.map((pid, i) => ((readTicks(pid) - before[i]!) / ticksPerSec / seconds) * 100);
  const rss = pids.map(
    (pid) =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
  );
  return {
    cpuMeanPct: cpu.reduce((a, b) => a + b, 0) / cpu.length,
    cpuMaxPct: Math.max(...cpu),
    rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMaxMiB: Math.max(...rss),
  };
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.log("bench:lab needs root (network namespaces); nothing measured");
    return;
  }
  // Agents run as installed: the bundle (what npm test builds), not TypeScript compiled at
  // start, which adds seconds per agent on a loaded machine and would swamp the cold figure.
  // A bundle named in MESHOVER_LAB_AGENT_BUNDLE (comparing builds) runs as it is.
  if (process.env.MESHOVER_LAB_AGENT !== "source" && !process.env.MESHOVER_LAB_AGENT_BUNDLE) {
    spawnSync("npm", ["run", "--silent", "build", "-w", "@meshover/agent"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
  }
  const results: Record<string, unknown> = {};
  const joins: { n: number; medianMs: number; trialsMs: number[] }[] = [];
  const earlyFailovers: { ms: number; cutAfterMs: number; bfdUp: string }[] = [];
  const bfdLags: { ms: number; pollGapMs: number }[] = [];
  const colds: { n: number; handMs: number; agentMs: number }[] = [];
  for (const n of COLD_SIZES) {
    console.log(`\ncold mesh of ${n}: hand-built, then ${n} agents at once`);
    try {
      const cold = await timeColdMesh(n);
      colds.push(cold);
      log(
        `hand-built ${cold.handMs.toFixed(0)} ms (configured after ${cold.handConfiguredMs.toFixed(0)} ms), agents ${cold.agentMs.toFixed(0)} ms (load ${loadAverage()})`,
      );
      for (const line of formatColdPhases(cold.phases, cold.reachMs)) log(`  ${line}`);
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
      const own = cold.agentCpu.map((cpu) => cpu.own);
      const children = cold.agentCpu.map((cpu) => cpu.children);
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      log(
        `  agent CPU in the first ${COLD_CPU_WINDOW_MS / 1000} s: own median ${median(own).toFixed(2)} s (all ${sum(own).toFixed(1)} s), its commands median ${median(children).toFixed(2)} s (all ${sum(children).toFixed(1)} s)`,
      );
      if (cold.compiles)
        log(
          `  controller: ${cold.compiles.count} mesh compiles (${cold.compiles.totalMs} ms in all, longest ${cold.compiles.maxMs} ms, last ${cold.compiles.lastAtMs} ms after start)`,
        );
    } catch (error) {
      console.error(
        `  cold N=${n} failed: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`,
      );
      colds.push({ n, handMs: Number.NaN, agentMs: Number.NaN });
    }
  }
  results.coldMesh = colds;
  for (const n of SIZES) {
    console.log(`\nmesh of ${n - 1}, joining node ${n} (${TRIALS} times)`);
    const mesh = await LabMesh.start({ nodes: n - 1, databaseServerUrl });
    try {
      await waitForSessions([...mesh.members.values()], 120_000);
      await waitForReachability(listPairs([...mesh.members.values()]), 60_000);
      const trials: number[] = [];
      const joinTrials = n === 8 ? Math.max(TRIALS, FAILOVER_TRIALS) : TRIALS;
      for (let trial = 0; trial < joinTrials; trial++) {
        const joined = await timeJoin(mesh, n + trial);
        const { member, ms, reachedAt, timeline } = joined;
        trials.push(ms);
        bfdLags.push({ ms: joined.bfdLagMs, pollGapMs: joined.bfdPollGapMs });
        log(
          `join ${trial + 1}: ${ms.toFixed(0)} ms, BFD up ${joined.bfdLagMs} ms after Established at worst (polls ≤ ${joined.bfdPollGapMs} ms apart) (new agent, ms after join start: ${JSON.stringify(timeline)})`,
        );
        if (n === 8) {
          const early = await timeEarlyFailover(mesh, member, reachedAt);
          earlyFailovers.push(early);
          log(
            `early failover (cut ${early.cutAfterMs.toFixed(0)} ms after first ping, BFD up just before: ${early.bfdUp}): ${early.ms.toFixed(0)} ms`,
          );
        }
        if (n === 8 && trial === joinTrials - 1 && process.env.BENCH_LAB_JOINS_ONLY !== "1") {
          // Keep the 8th node: the 8-node mesh measures failover, rotation and agent load.
          await waitForSessions([...mesh.members.values()], 60_000);
          const failovers: number[] = [];
          for (let i = 0; i < FAILOVER_TRIALS; i++) {
            failovers.push(await timeFailover(mesh, mesh.member("n3")));
            log(`failover ${i + 1}: ${failovers[i]!.toFixed(0)} ms`);
          }
          results.failoverMs = { median: median(failovers), trials: failovers };
          results.rotation = await measureRotations(mesh, ROTATIONS);
          await waitForReachability(listPairs([...mesh.members.values()]), 60_000);
          results.agents8 = await measureAgents(mesh, 30);
          log(`agents: ${JSON.stringify(results.agents8)}`);
        } else {
          await removeMember(mesh, member);
        }
      }
      joins.push({ n, medianMs: median(trials), trialsMs: trials });
    } catch (error) {
      const dir = await saveArtifacts(mesh.lab, `bench-n${n}`);
      console.error(
        `  N=${n} failed: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`,
      );
      console.error(`  artifacts in ${dir}`);
      joins.push({ n, medianMs: Number.NaN, trialsMs: [] });
    } finally {
      await mesh.destroy();
    }
  }
  results.joins = joins;
  if (isRotationOnly) {
    console.log("\nkey rotations on a mesh of 8");
    const mesh = await LabMesh.start({ nodes: 8, databaseServerUrl });
    try {
      results.rotation = await measureRotations(mesh, ROTATIONS);
      saveLogs(mesh, "rotation");
    } finally {
      await mesh.destroy();
    }
  }

  if (isSuiteRun) {
    console.log("\nlab test suite");
    const started = performance.now();
    const run = spawnSync("npx", ["vitest", "run", "-c", "e2e/lab/vitest.config.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, MESHOVER_LAB: "1" },
      encoding: "utf8",
    });
    const summary = /Tests\s+(.*)/.exec(stripVTControlCharacters(run.stdout))?.[1]?.trim() ?? "?";
    results.suite = {
      wallSec: (performance.now() - started) / 1000,
      exitCode: run.status,
      tests: summary,
    };
  }

  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows: [string, string, string][] = [["figure", "measured", "target"]];
  for (const j of joins)
    rows.push([
      `join → full reachability, N=${j.n} (median of ${j.trialsMs.length || TRIALS})`,
      j.trialsMs.length === 0
        ? "failed (see .artifacts/lab/bench-n*)"
        : `${fmt(j.medianMs)} (${j.trialsMs.map(fmt).join(", ")})`,
      j.n === 8 ? "≤ 5 s" : "",
    ]);
  for (const cold of colds)
    rows.push([
      `cold mesh, N=${cold.n}: agents at once / hand-built`,
      `${fmt(cold.agentMs)} / ${fmt(cold.handMs)} = ${(cold.agentMs / cold.handMs).toFixed(2)}x`,
      "≤ 1.3x",
    ]);
  const failover = results.failoverMs as { median: number; trials: number[] } | undefined;
  if (failover)
    rows.push([
      `failover settled (BFD up), N=8, median of ${failover.trials.length}`,
      `${fmt(failover.median)} (${failover.trials.map(fmt).join(", ")})`,
      "≤ 1.0 s",
    ]);
  results.earlyFailovers = earlyFailovers;
  if (earlyFailovers.length > 0) {
    const cutAfter = earlyFailovers.map((f) => f.cutAfterMs);
    rows.push([
      `failover cut ${(Math.min(...cutAfter) / 1000).toFixed(1)}–${(Math.max(...cutAfter) / 1000).toFixed(1)} s after the first ping, N=8, median of ${earlyFailovers.length}`,
      `${fmt(median(earlyFailovers.map((f) => f.ms)))} (${earlyFailovers.map((f) => fmt(f.ms)).join(", ")})`,
      "≤ 1.5 s",
    ]);
  }
  results.bfdLags = bfdLags;
  if (bfdLags.length > 0) {
    rows.push([
      `BFD up after BGP Established, joining node, worst session, median of ${bfdLags.length} joins`,
      `${median(bfdLags.map((l) => l.ms))} ms (${bfdLags.map((l) => l.ms).join(", ")}; polls ≤ ${Math.max(...bfdLags.map((l) => l.pollGapMs))} ms apart)`,
      "≤ 1000 ms",
    ]);
  }
  const rotation = results.rotation as TRotationFigures | undefined;
  if (rotation) {
    const busy = rotation.busy;
    rows.push([
      `lost probes in a key rotation, N=8, 10 pps on each of ${rotation.pairs} directed pairs (${busy.length} rotations)`,
      `worst pair ${Math.max(...busy.map((r) => r.worstPairLost))}, all pairs per rotation ${busy.map((r) => r.lost).join(", ")}`,
      "0",
    ]);
    // Seen done: the bench's poll of key.listRotations saw it; finished: the controller's own
    // completedAt − requestedAt (on a starved controller the poll itself takes seconds).
    const times = (trials: TRotationTrial[]) =>
      `finished ${fmt(median(trials.map((r) => r.finishedMs)))} (${trials.map((r) => fmt(r.finishedMs)).join(", ")}); seen done ${fmt(median(trials.map((r) => r.doneMs)))} (${trials.map((r) => fmt(r.doneMs)).join(", ")}); old tunnels gone ${fmt(median(trials.map((r) => r.settledMs)))}`;
    rows.push([
      `key rotation click → done under probes, N=8 (median of ${busy.length})`,
      times(busy),
      "≤ 5 s",
    ]);
    rows.push([
      `key rotation click → done on an idle mesh, N=8 (median of ${rotation.idle.length})`,
      times(rotation.idle),
      "≤ 5 s",
    ]);
  }
  const agents = results.agents8 as
    { cpuMeanPct: number; cpuMaxPct: number; rssMeanMiB: number; rssMaxMiB: number } | undefined;
  if (agents) {
    rows.push([
      "agent CPU, steady 8-node mesh (30 s)",
      `mean ${agents.cpuMeanPct.toFixed(1)} %, max ${agents.cpuMaxPct.toFixed(1)} % of a core`,
      "",
    ]);
    rows.push([
      "agent RSS, 8-node mesh",
      `mean ${agents.rssMeanMiB.toFixed(0)} MiB, max ${agents.rssMaxMiB.toFixed(0)} MiB`,
      "",
    ]);
  }
  const suite = results.suite as { wallSec: number; exitCode: number; tests: string } | undefined;
  if (suite)
    rows.push([
      "lab test suite wall time",
      `${suite.wallSec.toFixed(0)} s (exit ${suite.exitCode}; ${suite.tests})`,
      "≤ 600 s",
    ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log("");
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`);
  mkdirSync(join(REPO_ROOT, ".artifacts", "lab"), { recursive: true });
  writeFileSync(
    join(REPO_ROOT, ".artifacts", "lab", "bench.json"),
    JSON.stringify(results, null, 2),
  );
}

await main();
