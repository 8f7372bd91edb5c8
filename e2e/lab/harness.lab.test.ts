// Harness self-test without the agent: the lab's namespaces, private mount namespaces,
// wireguard-go per peer and FRR (zebra, bgpd, bfdd) configured by hand the way ENVIRONMENT.md
// verified it, then the pollers and teardown. If this fails, agent tests cannot mean anything.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  configureByHand,
  generateKeyPair,
  handIpv4Of,
  handIpv6Of,
} from "./harness/configure-by-hand";
import { Lab, type TLabNode } from "./harness/create-lab";
import { sweepLeftovers } from "./harness/destroy-lab";
import { ApiClient } from "./harness/call-api";
import { isLabEnabled } from "./harness/lab-env";
import { isProcessAlive, readStartTime } from "./harness/manage-process";
import { hasRoute, ping, readBfdPeers, readBgpNeighbors, readLinks } from "./harness/observe-node";
import { runCommand } from "./harness/run-command";
import { saveArtifacts } from "./harness/save-artifacts";
import { findFinalRemoval, parseRouteEvents } from "./harness/watch-routes";
import { startController } from "./harness/start-controller";
import { waitUntil } from "./harness/wait-until";

const NODE_COUNT = 3;
const ipv4Of = handIpv4Of;
const ipv6Of = handIpv6Of;

describe.skipIf(!isLabEnabled)("lab harness (hand-built mesh, no agent)", () => {
  let lab: Lab;
  const nodes: TLabNode[] = [];

  beforeAll(async () => {
    lab = await Lab.create();
    for (let i = 1; i <= NODE_COUNT; i++) nodes.push(await lab.addNode(i));
    const keys = new Map<TLabNode, { priv: string; pub: string }>();
    for (const node of nodes) {
      keys.set(node, await generateKeyPair());
    }
    for (const node of nodes) {
      await configureByHand(
        lab,
        node,
        nodes.filter((peer) => peer !== node),
        keys,
      );
    }
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(async () => {
      const dir = await saveArtifacts(lab, `harness-${task.name}`);
      console.error(`lab artifacts saved in ${dir}`);
    });
  });

  it("gives each node its own wireguard-go sockets and underlay without a default route", async () => {
    for (const node of nodes) {
      const links = await readLinks(node);
      const tunnels = links.filter((link) => /^mo\d+$/.test(link.ifname)).map((l) => l.ifname);
      expect(tunnels.sort()).toEqual(
        nodes
          .filter((p) => p !== node)
          .map((p) => `mo${p.index}`)
          .sort(),
      );
      expect(links.every((link) => !/^mo\d+$/.test(link.ifname) || link.mtu === 1420)).toBe(true);
      const routes = await lab.exec(node, ["ip", "-6", "route", "show", "default"]);
      expect(routes.stdout.trim()).toBe("");
    }
  });

  it("brings every BGP session to Established and routes node addresses across", async () => {
    await waitUntil(
      { name: "all BGP sessions Established (hand-built mesh)", timeoutMs: 30_000 },
      async () => {
        const down: string[] = [];
        for (const node of nodes) {
          const neighbors = await readBgpNeighbors(node);
          if (neighbors.size !== NODE_COUNT - 1)
            down.push(`${node.name}: ${neighbors.size} neighbours`);
          for (const n of neighbors.values())
            if (n.state !== "Established") down.push(`${node.name}/${n.name}: ${n.state}`);
        }
        return { isDone: down.length === 0, state: down.join(", ") };
      },
    );
    await waitUntil(
      { name: "all-pairs ping (IPv4 and IPv6)", timeoutMs: 20_000, intervalMs: 300 },
      async () => {
        const failed: string[] = [];
        for (const from of nodes) {
          for (const to of nodes.filter((n) => n !== from)) {
            for (const [src, dst] of [
              [ipv4Of(from), ipv4Of(to)],
              [ipv6Of(from), ipv6Of(to)],
            ] as const) {
              if (!(await ping(from.netns, dst, { source: src })).isOk)
                failed.push(`${from.name}->${dst}`);
            }
          }
        }
        return { isDone: failed.length === 0, state: `failing: ${failed.join(", ")}` };
      },
    );
    // A 1392-byte DF ping fits a 1420 tunnel (1392 + 8 ICMP + 20 IPv4 = 1420).
    const df = await ping(nodes[0]!.netns, ipv4Of(nodes[1]!), {
      source: ipv4Of(nodes[0]!),
      size: 1392,
      isDontFragment: true,
    });
    expect(df.isOk, df.output).toBe(true);
    const tooBig = await ping(nodes[0]!.netns, ipv4Of(nodes[1]!), {
      source: ipv4Of(nodes[0]!),
      size: 1393,
      isDontFragment: true,
    });
    expect(tooBig.isOk).toBe(false);
  });

  it("detects a cut underlay with BFD and withdraws the node's routes within 1.5 s", async () => {
    await waitUntil({ name: "all BFD peers up", timeoutMs: 15_000 }, async () => {
      const states = (await Promise.all(nodes.map(readBfdPeers))).flat();
      return {
        isDone:
          states.length === NODE_COUNT * (NODE_COUNT - 1) && states.every((s) => s.status === "up"),
        state: JSON.stringify(states),
      };
    });
    const cut = nodes[2]!;
    const others = nodes.filter((n) => n !== cut);
    await lab.setUnderlay(cut, false);
    const { elapsedMs } = await waitUntil(
      { name: `peers withdrawing ${cut.name}'s address`, timeoutMs: 5_000, intervalMs: 20 },
      async () => {
        const still = [];
        for (const node of others) if (await hasRoute(node, ipv4Of(cut))) still.push(node.name);
        return { isDone: still.length === 0, state: `still routed on ${still.join(", ")}` };
      },
    );
    console.log(`hand-built mesh: failover ${elapsedMs.toFixed(0)} ms`);
    expect(elapsedMs).toBeLessThan(1500);
    await lab.setUnderlay(cut, true);
    await waitUntil(
      { name: `${cut.name} reachable again`, timeoutMs: 30_000, intervalMs: 300 },
      async () => {
        const result = await ping(others[0]!.netns, ipv4Of(cut), { source: ipv4Of(others[0]!) });
        return { isDone: result.isOk, state: result.output.trim().split("\n").pop() ?? "" };
      },
    );
  });

  it("tears down every process, namespace and link it created", async () => {
    const record = structuredClone(lab.record);
    const listed = await Promise.all(
      record.netns.map((ns) => runCommand(["ip", "netns", "pids", ns])),
    );
    const processes = listed
      .flatMap((result) => result.stdout.split("\n").filter(Boolean).map(Number))
      .map((pid) => ({ pid, startTime: readStartTime(pid) ?? "gone" }));
    // Per node: the holder, one wireguard-go per peer, zebra, bfdd, bgpd.
    expect(processes.length).toBe(NODE_COUNT * (1 + (NODE_COUNT - 1) + 3));
    await lab.destroy();
    const netns = (await runCommand(["ip", "netns", "list"])).stdout;
    const links = (await runCommand(["ip", "-o", "link", "show"])).stdout;
    for (const ns of record.netns) expect(netns).not.toContain(ns);
    for (const link of record.links) expect(links).not.toContain(link);
    for (const ref of processes) expect(isProcessAlive(ref), `pid ${ref.pid}`).toBe(false);
    expect(existsSync(record.dir)).toBe(false);
  });
});

describe.skipIf(!isLabEnabled)("lab leftover sweeper", () => {
  it("removes runs whose owner died and leaves runs whose owner lives", async () => {
    const owners = [1, 2].map(() => {
      const child = spawn("sleep", ["120"], { stdio: "ignore" });
      return { pid: child.pid!, startTime: readStartTime(child.pid!) ?? "" };
    });
    const [dead, alive] = [
      await Lab.create({ owner: owners[0] }),
      await Lab.create({ owner: owners[1] }),
    ];
    try {
      await dead.addNode(1);
      await alive.addNode(1);
      process.kill(owners[0]!.pid, "SIGKILL");
      await waitUntil({ name: "fake owner gone", timeoutMs: 2000, intervalMs: 10 }, () =>
        Promise.resolve({
          isDone: !isProcessAlive(owners[0]!),
          state: "alive",
        }),
      );
      const swept = await sweepLeftovers();
      expect(swept).toContain(dead.runId);
      expect(swept).not.toContain(alive.runId);
      const netns = (await runCommand(["ip", "netns", "list"])).stdout;
      expect(netns).not.toContain(dead.record.netns[0]);
      expect(netns).toContain(alive.record.netns[0]);
      expect(isProcessAlive(dead.node("n1").holder)).toBe(false);
      expect(isProcessAlive(alive.node("n1").holder)).toBe(true);
    } finally {
      await dead.destroy();
      await alive.destroy();
      process.kill(owners[1]!.pid, "SIGKILL");
    }
  });
});

describe.skipIf(!isLabEnabled)("lab controller", () => {
  it("serves the API on the underlay bridge and lets the lab admin sign in", async () => {
    const lab = await Lab.create();
    try {
      const controller = await startController(lab, {
        databaseServerUrl: process.env.DATABASE_URL,
      });
      expect(controller.url).toContain(`[${lab.controllerAddress}]`);
      expect(lab.controllerAddress).toMatch(/^2001:db8:[0-9a-f]{1,4}::1$/);
      const api = new ApiClient(controller.url);
      await api.logIn(controller.adminEmail, controller.adminPassword);
      const me = await api.query<{ email: string; role: string }>("auth.me");
      expect(me).toMatchObject({ email: controller.adminEmail, role: "admin" });
      // Reachable from a node namespace over the underlay, as agents will reach it.
      const node = await lab.addNode(1);
      const health = await lab.exec(node, ["ping", "-c1", "-W1", lab.controllerAddress], {
        allowFailure: true,
      });
      expect(health.code).toBe(0);
    } finally {
      await lab.destroy();
    }
  });
});

// Pure: no namespaces needed, so it runs wherever the lab tier runs.
describe("route event parsing (failover timing)", () => {
  it("finds when a destination was removed for good, across flaps and multipath lines", () => {
    const text = [
      "[2026-11-26T11:57:58.663954] 10.128.0.3 nhid 40 proto bgp metric 20 ",
      "\tnexthop via inet6 fe80::3 dev mo3 weight 1 ",
      "[2026-11-26T11:57:59.100000] Deleted 10.128.0.3 nhid 40 proto bgp metric 20 ",
      "[2026-11-26T11:57:59.150000] 10.128.0.3 nhid 41 via inet6 fe80::5 dev mo5 proto bgp ",
      "[2026-11-26T11:57:59.400123] Deleted 10.128.0.3 nhid 41 via inet6 fe80::5 dev mo5 ",
      "[2026-11-26T11:57:59.350000] Deleted fd00::3 nhid 42 proto bgp metric 20 pref medium",
      "[2026-11-26T11:57:59.500000] 10.128.0.4 nhid 43 proto bgp metric 20 ",
    ].join("\n");
    const events = parseRouteEvents(text);
    expect(events).toHaveLength(6);
    expect(findFinalRemoval(events, "10.128.0.3")).toBe(
      new Date("2026-11-26T11:57:59.400").getTime(),
    );
    expect(findFinalRemoval(events, "fd00::3")).toBe(new Date("2026-11-26T11:57:59.350").getTime());
    // Present at the end, or never seen: not removed.
    expect(findFinalRemoval(events, "10.128.0.4")).toBeNull();
    expect(findFinalRemoval(events, "10.128.0.9")).toBeNull();
  });
});
