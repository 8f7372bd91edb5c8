// The mesh end to end: a real controller, six real agents (`--frr managed`, wireguard-go),
// checked through FRR's JSON, WireGuard's dump, the kernel and pings. The tests
// share one mesh and run in order; each leaves it converged for the next. The controller-down
// test runs last: agents' reconnect backoff after a long outage must not delay the others.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runInNetns, type TLabNode } from "./harness/create-lab";
import { REPO_ROOT, isLabEnabled } from "./harness/lab-env";
import { hasRoute, ping, readBfdPeers, readBgpPaths, readWireguard } from "./harness/observe-node";
import { startProbes, summarizeProbes } from "./harness/probe-mesh";
import {
  createToken,
  findModifyingCommands,
  markAgentLog,
  readAgentLog,
  startAgent,
  startJoiningAgent,
  stopAgent,
} from "./harness/run-agent";
import { rotateKeyAndWatch } from "./harness/rotate-key";
import { saveArtifacts } from "./harness/save-artifacts";
import { runController, stopController } from "./harness/start-controller";
import {
  LabMesh,
  attachWorkload,
  findDfProblems,
  findMtuProblems,
  findResetSessions,
  findSessionProblems,
  listPairs,
  readSessionCounters,
  timeWithdrawal,
  waitForBfdUp,
  waitForReachability,
  waitForSessions,
} from "./harness/start-mesh";
import { sleep, waitUntil } from "./harness/wait-until";
import { watchBfdLag } from "./harness/watch-bfd";

const NODE_COUNT = 6;
/** Figures measured along the way, written to .artifacts/lab/figures.json for the report. */
const figures: Record<string, unknown> = {};

interface TNodeSummary {
  id: string;
  name: string;
  lastSeenAt: string | null;
  appliedConfigVersion: number | null;
  desiredConfigVersion: number;
}

describe.skipIf(!isLabEnabled)("meshover mesh (6 agents, real WireGuard and FRR)", () => {
  let mesh: LabMesh;
  const members = () => [...mesh.members.values()];

  beforeAll(async () => {
    const started = performance.now();
    mesh = await LabMesh.start({
      nodes: NODE_COUNT,
      databaseServerUrl: process.env.DATABASE_URL,
      log: (line) => console.log(`[lab] ${line}`),
    });
    figures.startMs = Math.round(performance.now() - started);
  });

  afterAll(async () => {
    mkdirSync(join(REPO_ROOT, ".artifacts", "lab"), { recursive: true });
    writeFileSync(
      join(REPO_ROOT, ".artifacts", "lab", "figures.json"),
      JSON.stringify(figures, null, 2),
    );
    console.log(`[lab] figures: ${JSON.stringify(figures)}`);
    await mesh?.destroy();
  });

  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(async () => {
      if (!mesh) return;
      const dir = await saveArtifacts(mesh.lab, task.name);
      console.error(`[lab] artifacts of the failed test saved in ${dir}`);
    });
  });

  it("converges: every session Established both sides, all pairs reachable, MTU 1420, DF 1392 passes", async () => {
    const sessions = await waitForSessions(members(), 90_000);
    const reach = await waitForReachability(listPairs(members()), 60_000);
    figures.convergeMs = Math.round(sessions.elapsedMs + reach.elapsedMs);
    for (const member of members()) {
      const { count, problems } = await findMtuProblems(member);
      expect(count, `${member.node.name} tunnels`).toBe(NODE_COUNT - 1);
      expect(problems).toEqual([]);
    }
    expect(await findDfProblems(members())).toEqual([]);
    // Every BFD session is bfdd's static one on its tunnel: one per interface, none without.
    // (With the bfd block after `router bgp` in frr.conf, a joining node's bgpd could register
    // a session before `vtysh -b` reached that block: 8 of 80 sessions in four 5-node labs had
    // no interface.)
    await waitForBfdUp(members(), 20_000);
    for (const member of members()) {
      const interfaces = (await readBfdPeers(member.node)).map((peer) => peer.interface);
      expect(
        interfaces.filter((name) => name === null),
        `${member.node.name}: unbound`,
      ).toEqual([]);
      expect(new Set(interfaces).size, `${member.node.name}: one per tunnel`).toBe(NODE_COUNT - 1);
    }
  });

  it("detours a broken pair through one other node; no node holds the longer chains it re-announces (path limit)", async () => {
    await waitForBfdUp(members(), 20_000);
    const [a, , b] = members();
    const others = members().filter((member) => member !== a && member !== b);
    const bPrefix = `${b!.view.ipv4}/32`;
    // Break only the a–b tunnel: a can no longer send to b's underlay address.
    const blackhole = ["ip", "-6", "route", "add", "blackhole", `${b!.node.underlayAddress}/128`];
    await runInNetns(a!.node.netns, blackhole);
    try {
      // a routes to b through another node (a detour of 2 ASNs), and pings still answer.
      await waitUntil(
        {
          name: `${a!.node.name} reaching ${b!.node.name} only through detours`,
          timeoutMs: 15_000,
        },
        async () => {
          const lengths = ((await readBgpPaths(a!.node)).get(bPrefix) ?? []).map(
            (path) => path.split(" ").length,
          );
          return {
            isDone: lengths.length > 0 && lengths.every((n) => n === 2),
            state: `AS path lengths ${JSON.stringify(lengths)}`,
          };
        },
      );
      // Those are bgpd's paths; the kernel routes at both ends follow through zebra. On a loaded
      // CI machine one ping sent the moment a's paths switched went unanswered (clean-clone CI
      // of a6fc9ae, both ends' sessions just dropped), so it may take a few tries.
      await waitUntil(
        { name: `${a!.node.name} pinging ${b!.node.name} over the detour`, timeoutMs: 5_000 },
        async () => {
          const reply = await ping(a!.node.netns, b!.view.ipv4, { source: a!.view.ipv4 });
          return { isDone: reply.isOk, state: reply.output.trim().split("\n").pop() ?? "" };
        },
      );
      // a re-announces its detour as a chain of 3 ASNs (a, the relay, b); let it arrive.
      await sleep(1000);
      for (const member of others) {
        const paths = (await readBgpPaths(member.node)).get(bPrefix) ?? [];
        const where = `${member.node.name} → ${b!.node.name}: ${JSON.stringify(paths)}`;
        expect(
          paths.filter((path) => path.split(" ").length === 1),
          where,
        ).toHaveLength(1);
        expect(Math.max(...paths.map((path) => path.split(" ").length)), where).toBe(2);
      }
    } finally {
      await runInNetns(a!.node.netns, ["ip", "-6", "route", "del", ...blackhole.slice(4)]);
    }
    await waitForSessions(members(), 30_000);
    await waitForReachability(listPairs(members()), 30_000);
  });

  it("routes a workload prefix attached via the API to every node, and withdraws it on detach", async () => {
    const [owner, ...others] = members();
    const workload = await attachWorkload(mesh, owner!);
    const targets = [
      { family: 4, address: workload.ipv4 },
      { family: 6, address: workload.ipv6 },
    ] as const;
    const attached = await waitUntil(
      { name: "workload reachable from every other node", timeoutMs: 20_000, intervalMs: 200 },
      async () => {
        const failing: string[] = [];
        for (const from of others) {
          for (const target of targets) {
            const source = target.family === 4 ? from.view.ipv4 : from.view.ipv6;
            if (!(await ping(from.node.netns, target.address, { source })).isOk)
              failing.push(`${from.node.name}->${target.address}`);
          }
        }
        return { isDone: failing.length === 0, state: `unreachable: ${failing.join(", ")}` };
      },
    );
    figures.workloadAttachMs = Math.round(attached.elapsedMs);

    await mesh.api.mutate("node.setPrefixes", { nodeId: owner!.view.nodeId, prefixes: [] });
    const detached = await waitUntil(
      {
        name: "workload prefix withdrawn from every other node",
        timeoutMs: 20_000,
        intervalMs: 200,
      },
      async () => {
        const still: string[] = [];
        for (const from of others) {
          for (const target of targets)
            if (await hasRoute(from.node, target.address))
              still.push(`${from.node.name}: ${target.address}`);
        }
        return { isDone: still.length === 0, state: `still routed: ${still.join(", ")}` };
      },
    );
    figures.workloadDetachMs = Math.round(detached.elapsedMs);
    const probe = await ping(others[0]!.node.netns, workload.ipv4, {
      source: others[0]!.view.ipv4,
    });
    expect(probe.isOk).toBe(false);
  });

  it("restarts every agent without a modifying command or a session drop (idempotence)", async () => {
    // The previous test's last change may still be applying (an FRR reload takes seconds on a
    // loaded machine): start from agents that finished the newest config they received.
    await waitUntil(
      { name: "every agent applied its newest config", timeoutMs: 30_000, intervalMs: 250 },
      () => {
        const busy = members()
          .filter((m) => !hasAppliedNewestConfig(m.node))
          .map((m) => m.node.name);
        return Promise.resolve({
          isDone: busy.length === 0,
          state: `applying: ${busy.join(", ")}`,
        });
      },
    );
    const before = await readSessionCounters(members());
    const offsets = new Map(members().map((m) => [m.node.name, markAgentLog(m.node)]));
    for (const member of members()) await stopAgent(mesh.lab, member.node);
    for (const member of members()) startAgent(mesh.lab, member.node);
    // Each agent must have finished a reconcile pass (and reported) after its restart.
    await waitUntil(
      { name: "every restarted agent reconciled once", timeoutMs: 30_000, intervalMs: 250 },
      () => {
        const pending = members()
          .filter(
            (m) =>
              !readAgentLog(m.node, offsets.get(m.node.name)).some(
                (line) => line.msg === "reconciled",
              ),
          )
          .map((m) => m.node.name);
        return Promise.resolve({
          isDone: pending.length === 0,
          state: `not yet reconciled: ${pending.join(", ")}`,
        });
      },
    );
    await sleep(2000); // let BFD/BGP notice anything the restart might have disturbed
    const modifying = members().flatMap((m) =>
      findModifyingCommands(m.node, offsets.get(m.node.name)).map((c) => `${m.node.name}: ${c}`),
    );
    expect(modifying).toEqual([]);
    expect(findResetSessions(before, await readSessionCounters(members()))).toEqual([]);
  });

  it("withdraws a node whose underlay is cut within 1.5 s (BFD), and recovers when restored", async () => {
    await waitForBfdUp(members(), 20_000);
    const cut = mesh.member("n3");
    const { elapsedMs, polledMs } = await timeWithdrawal(mesh, cut);
    figures.failoverMs = Math.round(elapsedMs);
    console.log(
      `[lab] failover: ${elapsedMs.toFixed(0)} ms (route events; polling saw it at ${polledMs.toFixed(0)} ms)`,
    );
    expect(elapsedMs).toBeLessThanOrEqual(1500);
    const back = await waitForReachability(listPairs(members(), cut), 60_000);
    figures.recoveryMs = Math.round(back.elapsedMs);
    await waitForSessions(members(), 30_000);
  });

  it("rotates keys make-before-break on an idle mesh and under 10 pps on every pair: 0 probes lost, no session reset", async () => {
    await waitForSessions(members(), 30_000);
    // Idle: nothing but BGP and BFD flows, so no handshake is started by user traffic.
    const idle = await rotateKeyAndWatch(mesh, mesh.member("n4"));
    console.log(
      `[lab] key rotation, idle: done ${idle.doneMs.toFixed(0)} ms, old tunnels gone ${idle.settledMs.toFixed(0)} ms, gaps ${idle.gaps.length}, resets ${idle.resets.length}`,
    );
    await waitForSessions(members(), 30_000);
    // Busy: 10 probes per second on every directed pair, both families, across the rotation.
    const pairs = listPairs(members());
    // Long enough to cover the old tunnels' retirement (asserted below), not only "done".
    const probes = startProbes(pairs, { pps: 10, durationSec: 40 });
    const logOffsets = new Map(members().map((m) => [m.node.name, markAgentLog(m.node)]));
    await sleep(1500);
    const clickedAt = Date.now();
    const busy = await rotateKeyAndWatch(mesh, mesh.member("n2"));
    const summary = summarizeProbes(await probes.done);
    // Where the rotation's time went on each node (ms after the click).
    const steps = new Set([
      "config received",
      "made the next WireGuard key",
      "applying plan",
      "rotation reported",
      "reconciled",
      "promoted the next WireGuard key",
      "restarted stalled handshakes",
      "rotation tunnels handshaken",
    ]);
    const timelines: string[] = [];
    for (const member of members()) {
      const timeline = readAgentLog(member.node, logOffsets.get(member.node.name))
        .filter((line) => steps.has(line.msg ?? "") && (line.time as number) >= clickedAt)
        .filter((line) => (line.time as number) <= clickedAt + busy.doneMs + 500)
        .map(
          (line) =>
            `+${(line.time as number) - clickedAt} ${line.msg} ${JSON.stringify(line.version ?? line.reason ?? line.devices ?? "")}`,
        );
      timelines.push(`${member.node.name}: ${timeline.join("; ")}`);
      console.log(`[lab] busy rotation on ${timelines.at(-1)}`);
    }
    if (summary.lostAt.length > 0) {
      // Which step of the rotation each loss fell into: the agents' log lines around it.
      console.log(`[lab] key rotation: probes lost at\n  ${summary.lostAt.join("\n  ")}`);
      const lostMs = summary.lostAt.map((entry) => Date.parse(entry.split(" ")[0]!));
      const first = Math.min(...lostMs) - 2000;
      const last = Math.max(...lostMs) + 1000;
      for (const member of members()) {
        const lines = readAgentLog(member.node, logOffsets.get(member.node.name))
          .filter((line) => (line.time as number) >= first && (line.time as number) <= last)
          .map((line) => `${new Date(line.time as number).toISOString()} ${JSON.stringify(line)}`);
        console.log(`[lab] ${member.node.name} agent log around the losses:\n${lines.join("\n")}`);
      }
    }
    figures.rotation = {
      idle: { doneMs: Math.round(idle.doneMs), settledMs: Math.round(idle.settledMs) },
      busy: { doneMs: Math.round(busy.doneMs), settledMs: Math.round(busy.settledMs) },
      probes: { pairs: pairs.length, pps: 10, sent: summary.sent, lost: summary.lost },
    };
    console.log(
      `[lab] key rotation: idle done ${idle.doneMs.toFixed(0)} ms (old tunnels gone ${idle.settledMs.toFixed(0)} ms); under 10 pps done ${busy.doneMs.toFixed(0)} ms (API answered the click after ${busy.mutatedMs.toFixed(0)} ms; gone ${busy.settledMs.toFixed(0)} ms); ${summary.lost} of ${summary.sent} probes lost over ${pairs.length} directed pairs`,
    );
    for (const run of [idle, busy]) {
      expect(run.newKey).not.toBe(run.oldKey);
      expect(run.gaps, "a pair without an Established BGP session").toEqual([]);
      expect(run.resets, "sessions of other pairs reset").toEqual([]);
    }
    // Issue #16's 5 s is a speed goal, measured by bench:lab (5 rotations idle, 5 under probes,
    // at 8 nodes). Here a rotation must finish: 15 s is far above any measured one (1.2-2.7 s
    // here, 5.9 s once in CI when a pair's crossed handshake initiations waited for WireGuard's
    // 5 s retry, fixed since) and far below the controller's 10-minute expiry. On failure the
    // message carries each agent's steps (the CI log keeps only its tail).
    for (const [name, run] of [
      ["idle", idle],
      ["under 10 pps", busy],
    ] as const) {
      expect(
        run.doneMs,
        `${name} rotation finished; agents' steps under 10 pps (ms after the click):\n${timelines.join("\n")}`,
      ).toBeLessThanOrEqual(15_000);
    }
    // The probes covered the whole rotation, retirement of the old tunnels included.
    expect(busy.settledMs + 1500).toBeLessThan(40_000);
    expect(summary.lossy).toEqual([]);
    expect(summary.lost).toBe(0);
    await waitForSessions(members(), 30_000);
  });

  it("joins a seventh node live: time to full reachability, BFD up within 1 s of each session's Established", async () => {
    const token = await createToken(mesh.api, 1);
    const node = await mesh.lab.addNode(NODE_COUNT + 1);
    const started = performance.now();
    const startedEpoch = Date.now();
    // The one-command form: `run --controller … --token …` joins, then runs, in one process.
    startJoiningAgent(mesh.lab, node, mesh.controller, token);
    // Watched from the start: a pair that pings must already be protected by BFD.
    const bfdWatch = watchBfdLag(node, { sessions: NODE_COUNT, timeoutMs: 60_000 });
    const member = await mesh.waitForConfig(node);
    const probingFrom = performance.now() - started;
    const reach = await waitForReachability(listPairs(members(), member), 60_000);
    // Full reachability: when the last pair first answered (a final round confirmed all do).
    const totalMs = probingFrom + reach.elapsedMs;
    const joined = readAgentLog(node).find((line) => line.msg === "joined");
    expect(joined, "the agent logs its join").toBeDefined();
    const redeemedMs = (joined!.time as number) - startedEpoch;
    figures.joinLive = {
      nodes: NODE_COUNT + 1,
      joinCommandMs: Math.round(redeemedMs),
      toFullReachabilityMs: Math.round(totalMs),
    };
    console.log(
      `[lab] join live: token redeemed in ${redeemedMs.toFixed(0)} ms, full reachability ${totalMs.toFixed(0)} ms after the join started`,
    );
    const { lags, longestPollGapMs } = await bfdWatch;
    const worstLagMs = Math.max(...lags.map((lag) => lag.lagMs));
    figures.joinBfdLagMs = { worst: worstLagMs, longestPollGapMs };
    console.log(
      `[lab] join live: BFD up ${worstLagMs} ms after Established at worst (polls ≤ ${longestPollGapMs} ms apart): ${lags.map((lag) => `${lag.name} ${lag.lagMs}`).join(", ")}`,
    );
    expect(lags.filter((lag) => lag.lagMs > 1000)).toEqual([]);
    await waitForSessions(members(), 30_000);
  });

  it("removes a node via the API: its tunnels vanish from every peer, no other session resets", async () => {
    const removed = mesh.member(`n${NODE_COUNT + 1}`);
    const removedKey = [...(await readWireguard(removed.node)).values()][0]!.publicKey;
    const others = members().filter((m) => m !== removed);
    // Which interface on each peer leads to the removed node (its tunnel and BGP neighbour name).
    const toRemoved = new Map<string, string>();
    for (const peer of others) {
      const tunnel = [...(await readWireguard(peer.node)).values()].find((i) =>
        i.peers.some((p) => p.publicKey === removedKey),
      );
      expect(tunnel, `${peer.node.name} has a tunnel to the removed node`).toBeDefined();
      toRemoved.set(peer.node.name, tunnel!.name);
    }
    const before = await readSessionCounters(others);
    await mesh.api.mutate("node.remove", { nodeId: removed.view.nodeId });
    await stopAgent(mesh.lab, removed.node);
    mesh.forget(removed.node.name);
    await waitUntil(
      {
        name: "the removed node's tunnels gone from every peer",
        timeoutMs: 30_000,
        intervalMs: 250,
      },
      async () => {
        const left: string[] = [];
        for (const peer of others) {
          const interfaces = await readWireguard(peer.node);
          if (
            [...interfaces.values()].some((i) => i.peers.some((p) => p.publicKey === removedKey)) ||
            interfaces.has(toRemoved.get(peer.node.name)!)
          )
            left.push(peer.node.name);
        }
        return { isDone: left.length === 0, state: `still tunnelled on ${left.join(", ")}` };
      },
    );
    await sleep(2000);
    const isToRemoved = (key: string) => toRemoved.get(key.split("/")[0]!) === key.split("/")[1];
    expect(findResetSessions(before, await readSessionCounters(others), isToRemoved)).toEqual([]);
    expect(await findSessionProblems(others)).toEqual([]);
  });
  it("keeps the data plane while the controller is down, rebuilds a restarted agent from its cache, reconnects", async () => {
    await stopController(mesh.lab, mesh.controller);
    const restarted = mesh.member("n2");
    const probes = startProbes(listPairs(members()), { pps: 10, durationSec: 30 });
    // An agent restart while the controller is away must not disturb anything either.
    await sleep(10_000);
    await stopAgent(mesh.lab, restarted.node);
    startAgent(mesh.lab, restarted.node);
    const summary = summarizeProbes(await probes.done);
    figures.controllerDownProbes = { sent: summary.sent, lost: summary.lost };
    console.log(
      `[lab] controller down: ${summary.sent} probes, ${summary.lost} lost ${summary.lossy.join(", ")}`,
    );
    expect(summary.lossy).toEqual([]);

    // Now a reboot of n2 while the controller is still down: only its cached config is left.
    const offset = markAgentLog(restarted.node);
    await stopAgent(mesh.lab, restarted.node);
    const stopped = await mesh.lab.wipeDataPlane(restarted.node);
    expect(stopped).toBeGreaterThan(NODE_COUNT - 1); // wireguard-go per peer plus FRR daemons
    expect((await readWireguard(restarted.node)).size).toBe(0);
    startAgent(mesh.lab, restarted.node);
    const rebuilt = await waitForReachability(listPairs(members(), restarted), 60_000);
    figures.rebuildFromCacheMs = Math.round(rebuilt.elapsedMs);
    expect(
      readAgentLog(restarted.node, offset).some(
        (line) => line.msg === "starting from cached config",
      ),
    ).toBe(true);
    await waitForSessions(members(), 30_000);

    const restartedAt = Date.now();
    const offsets = new Map(members().map((m) => [m.node.name, markAgentLog(m.node)]));
    await runController(mesh.lab, mesh.controller);
    // Reconnect means the config stream, not only health reports: changes arrive through it.
    await waitUntil(
      { name: "every agent's config stream reconnected", timeoutMs: 30_000, intervalMs: 250 },
      () => {
        const waiting = members()
          .filter(
            (m) =>
              !readAgentLog(m.node, offsets.get(m.node.name)).some(
                (line) => line.msg === "config stream connected",
              ),
          )
          .map((m) => m.node.name);
        return Promise.resolve({
          isDone: waiting.length === 0,
          state: `not reconnected: ${waiting.join(", ")}`,
        });
      },
    );
    await waitUntil(
      {
        name: "every agent reporting to the restarted controller",
        timeoutMs: 60_000,
        intervalMs: 500,
      },
      async () => {
        const nodes = await mesh.api.query<TNodeSummary[]>("node.list");
        const stale = nodes.filter(
          (n) =>
            !n.lastSeenAt ||
            Date.parse(n.lastSeenAt) < restartedAt ||
            n.appliedConfigVersion !== n.desiredConfigVersion,
        );
        return {
          isDone: nodes.length === NODE_COUNT && stale.length === 0,
          state: `${nodes.length} nodes; stale: ${stale.map((n) => `${n.name}(seen ${n.lastSeenAt}, applied ${n.appliedConfigVersion}/${n.desiredConfigVersion})`).join(", ")}`,
        };
      },
    );
  });
});

// True when the agent's last config event is a finished reconcile of the newest version it got.
function hasAppliedNewestConfig(node: TLabNode): boolean {
  const events = readAgentLog(node).filter(
    (line) =>
      line.msg === "config received" || line.msg === "applying plan" || line.msg === "reconciled",
  );
  const received = events.filter((line) => line.msg === "config received").map((l) => l.version);
  const last = events.at(-1);
  return last?.msg === "reconciled" && last.version === received.at(-1);
}
