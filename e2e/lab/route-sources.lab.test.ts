// Route sources end to end (#14, ROUTING-NOTES §4): three real agents and FRRs, policy set
// through the controller's routing API, host state built with iproute2 inside the nodes'
// namespaces. A: a Cilium-like pod host (proto kernel pod CIDR into cilium_host, a decoy CIDR of
// another node). B: PureLB-like VIPs on kube-lb0 (anycast, a move, a holder cut off, guards). C: VM-host bridges
// (a routed subnet, a static kernel route, libvirt's default on two nodes = conflict). The
// tests share one mesh and run in order. The kernel here has no dummy links, so kube-lb0 is one
// end of a veth pair (both ends up: an operational interface, like an up dummy).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLabEnabled } from "./harness/lab-env";
import { HANDOVER_TABLE } from "@meshover/netcfg";
import { ping, vtysh } from "./harness/observe-node";
import { findLostProbes } from "./harness/probe-mesh";
import { runCommand } from "./harness/run-command";
import { saveArtifacts } from "./harness/save-artifacts";
import {
  LabMesh,
  findResetSessions,
  listPairs,
  readSessionCounters,
  waitForBfdUp,
  waitForReachability,
  waitForSessions,
  type TMeshMember,
} from "./harness/start-mesh";
import { sleep, waitUntil } from "./harness/wait-until";
import { addVipInterface, readKernelRoute, watchHostRoutes } from "./harness/route-sources";
import {
  findModifyingCommands,
  markAgentLog,
  readAgentLog,
  startAgent,
  stopAgent,
} from "./harness/run-agent";

const POD_V4 = "10.0.1.0/24";
const POD_V6 = "fd50:0:0:1::/120";
const DECOY_V4 = "10.0.2.0/24";
const POD_ADDRESS = "10.0.1.23";
const VIP = "198.51.100.10";
const BRIDGE_V4 = "10.60.1.0/24";
const STATIC_V4 = "10.60.2.0/24";
const LIBVIRT = "192.168.122.0/24";
/** Cap of n1's announced prefixes in the guard test, and how many VIPs it gets at once. */
const CAP = 30;
const FLOOD = 2 * CAP;

/** Figures the bench and the report quote. */
const figures: Record<string, number> = {};

/** True when FRR on member has no route to `prefix` at all (FRR prints `{}` or an empty list). */
async function hasNoFrrRoute(member: TMeshMember, prefix: string) {
  const family = prefix.includes(":") ? "ipv6" : "ip";
  const routes = JSON.parse(
    await vtysh(member.node, `show ${family} route ${prefix} json`),
  ) as Record<string, unknown[]>;
  return Object.values(routes).every((entries) => entries.length === 0);
}

/** True when every member in `members` has a BGP route to `prefix` over a mesh tunnel. */
async function isRoutedOverMesh(members: TMeshMember[], prefix: string) {
  const states = await Promise.all(
    members.map(async (m) => {
      const route = await readKernelRoute(m, prefix);
      return route?.protocol === "bgp" && route.devices.every((dev) => dev.startsWith("mo"));
    }),
  );
  return states.every(Boolean);
}

describe.skipIf(!isLabEnabled)("route sources (3 agents: pods, VIPs, VM bridges)", () => {
  let mesh: LabMesh;
  let n1: TMeshMember;
  let n2: TMeshMember;
  let n3: TMeshMember;
  const sh = (member: TMeshMember, ...argv: string[]) => mesh.lab.exec(member.node, argv);

  async function setRouting(member: TMeshMember, policy: Record<string, unknown>) {
    await mesh.api.mutate("routing.update", { nodeId: member.view.nodeId, ...policy });
  }

  async function waitRouted(name: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
    return waitUntil({ name, timeoutMs, intervalMs: 100 }, async () => ({
      isDone: await check(),
      state: "not yet",
    }));
  }

  beforeAll(async () => {
    mesh = await LabMesh.start({
      nodes: 3,
      databaseServerUrl: process.env.DATABASE_URL,
      log: (line) => console.log(`[lab] ${line}`),
    });
    [n1, n2, n3] = [...mesh.members.values()] as [TMeshMember, TMeshMember, TMeshMember];
    await waitForSessions([n1, n2, n3], 90_000);
    await waitForReachability(listPairs([n1, n2, n3]), 60_000);
  });

  afterAll(async () => {
    console.log(`[lab] route-source figures: ${JSON.stringify(figures)}`);
    await mesh?.destroy();
  });

  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(async () => {
      if (!mesh) return;
      const dir = await saveArtifacts(mesh.lab, task.name);
      console.error(`[lab] artifacts of the failed test saved in ${dir}`);
    });
  });

  it("A: announces a Cilium-like pod CIDR FRR cannot see, never another node's, and withdraws it", async () => {
    // Cilium's shape (§1.1): cilium_host with the router address, the pod CIDR with proto
    // kernel into it (v6 at the kernel's metric 1024), one pod behind an lxc veth with proxy ARP.
    await sh(n1, "ip", "link", "add", "cilium_host", "type", "veth", "peer", "name", "cilium_net");
    await sh(n1, "ip", "link", "set", "cilium_host", "up");
    await sh(n1, "ip", "link", "set", "cilium_net", "up");
    await sh(n1, "ip", "addr", "add", "10.0.1.1/32", "dev", "cilium_host");
    await sh(n1, "ip", "-6", "addr", "add", "fd50:0:0:1::1/128", "dev", "cilium_host", "nodad");
    await sh(
      n1,
      "ip",
      "route",
      "add",
      POD_V4,
      "via",
      "10.0.1.1",
      "dev",
      "cilium_host",
      "src",
      "10.0.1.1",
      "proto",
      "kernel",
    );
    await sh(n1, "ip", "-6", "route", "add", POD_V6, "dev", "cilium_host", "proto", "kernel");
    // Another node's CIDR, as Cilium routes it in tunnel mode.
    await sh(
      n1,
      "ip",
      "route",
      "add",
      DECOY_V4,
      "via",
      "10.0.1.1",
      "dev",
      "cilium_host",
      "proto",
      "kernel",
      "mtu",
      "1420",
    );
    const pod = await mesh.lab.addPod(n1.node, "p1", { address: POD_ADDRESS, gateway: "10.0.1.1" });

    // A1: the fact the design rests on: zebra does not see a proto kernel route.
    const route = await readKernelRoute(n1, POD_V4);
    expect(route?.protocol).toBe("kernel");
    expect(await hasNoFrrRoute(n1, POD_V4)).toBe(true);

    await setRouting(n1, {
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      allowedRanges: [
        { prefix: "10.0.0.0/16", maxLength: 24, anycast: false, description: null },
        { prefix: "fd50::/16", maxLength: 120, anycast: false, description: null },
      ],
      sources: {
        interfaces: [],
        excludeInterfaces: [],
        kernelProtocols: [],
        ciliumPodCidr: true,
        speakers: [],
      },
    });
    // A2: every other node routes both pod CIDRs over a tunnel; the decoy nowhere.
    const announced = await waitRouted(
      "pod CIDRs routed over the mesh on n2 and n3",
      async () =>
        (await isRoutedOverMesh([n2, n3], POD_V4)) && (await isRoutedOverMesh([n2, n3], POD_V6)),
    );
    figures.podCidrAnnouncedMs = Math.round(announced.elapsedMs);
    for (const member of [n2, n3]) expect(await readKernelRoute(member, DECOY_V4)).toBeNull();
    // The anchor points where Cilium's route points: never a blackhole on n1.
    const anchor = JSON.parse(await vtysh(n1.node, `show ipv6 route ${POD_V6} json`)) as Record<
      string,
      { protocol: string; nexthops: { interfaceName?: string; blackhole?: boolean }[] }[]
    >;
    const anchorHops = anchor[POD_V6]?.flatMap((entry) => entry.nexthops) ?? [];
    expect(anchorHops.map((hop) => hop.interfaceName)).toContain("cilium_host");
    expect(anchorHops.some((hop) => hop.blackhole)).toBe(false);

    // A3: the pod answers n3 across the mesh, full size with DF.
    const reply = await ping(n3.node.netns, POD_ADDRESS, {
      source: n3.view.ipv4,
      size: 1392,
      isDontFragment: true,
      count: 3,
      intervalSec: 0.2,
    });
    expect(reply.isOk, reply.output).toBe(true);
    expect((await ping(pod, n3.view.ipv4, { count: 2, intervalSec: 0.2 })).isOk).toBe(true);

    // A5: steady state is quiet (the 2 s looks change nothing), and a restarted agent takes the
    // pod CIDR as it finds it: no FRR change, no session reset, no withdrawal in between.
    const before = await readSessionCounters([n1, n2, n3]);
    let offset = markAgentLog(n1.node);
    await sleep(5_000);
    expect(findModifyingCommands(n1.node, offset)).toEqual([]);
    offset = markAgentLog(n1.node);
    await stopAgent(mesh.lab, n1.node);
    startAgent(mesh.lab, n1.node);
    await waitUntil(
      { name: "n1's restarted agent reconciled", timeoutMs: 30_000, intervalMs: 250 },
      () =>
        Promise.resolve({
          isDone: readAgentLog(n1.node, offset).some((line) => line.msg === "reconciled"),
          state: "not yet",
        }),
    );
    await sleep(3_000);
    expect(findModifyingCommands(n1.node, offset)).toEqual([]);
    expect(findResetSessions(before, await readSessionCounters([n1, n2, n3]))).toEqual([]);
    expect(await isRoutedOverMesh([n2, n3], POD_V4)).toBe(true);

    // A4: cilium_host gone → withdrawn mesh-wide.
    await sh(n1, "ip", "link", "del", "cilium_host");
    const withdrawn = await waitRouted("pod CIDR withdrawn from n2 and n3", async () =>
      (await Promise.all([n2, n3].map((m) => readKernelRoute(m, POD_V4)))).every((r) => r === null),
    );
    figures.podCidrWithdrawnMs = Math.round(withdrawn.elapsedMs);
    expect(withdrawn.elapsedMs).toBeLessThan(10_000);
  });

  it("B1/B2: a VIP on kube-lb0 of two nodes is anycast on the third; removed on one, the other path stays", async () => {
    const vipPolicy = {
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: CAP,
      allowedRanges: [
        { prefix: "198.51.100.0/24", maxLength: 32, anycast: true, description: null },
      ],
      sources: {
        interfaces: ["kube-lb0"],
        excludeInterfaces: [],
        kernelProtocols: ["static"],
        ciliumPodCidr: false,
        speakers: [],
      },
    };
    for (const member of [n1, n2]) {
      await addVipInterface(mesh.lab, member);
      await sh(member, "ip", "addr", "add", `${VIP}/32`, "dev", "kube-lb0");
      await setRouting(member, vipPolicy);
    }
    await waitRouted("VIP with two nexthops on n3", async () => {
      const route = await readKernelRoute(n3, `${VIP}/32`);
      return route?.protocol === "bgp" && route.devices.length === 2;
    });
    expect(
      (await ping(n3.node.netns, VIP, { source: n3.view.ipv4, count: 3, intervalSec: 0.2 })).isOk,
    ).toBe(true);

    // B2, make-before-break: n1 lets the VIP go once its agent keeps a handover route to the
    // other holder (looked up after the local table, before main)...
    const vipInTable = new RegExp(`^${VIP.replaceAll(".", "\\.")} dev mo2r? `, "m");
    await waitUntil(
      { name: "n1's handover route to n2", timeoutMs: 10_000, intervalMs: 100 },
      async () => {
        const table = await sh(n1, "ip", "-4", "route", "show", "table", String(HANDOVER_TABLE));
        return { isDone: vipInTable.test(table.stdout), state: table.stdout.trim() || "none" };
      },
    );
    // ...so the packets still sent to n1 while the peers drop its path are forwarded to n2 from
    // the instant the address goes (bgpd's own route through n2 comes ~80 ms later). n3's
    // probes run across the removal; whichever holder their flow hashes to, none is lost.
    const probes = ping(n3.node.netns, VIP, {
      source: n3.view.ipv4,
      count: 30,
      intervalSec: 0.1,
      isPerProbe: true,
    });
    await sleep(1000);
    // B2: the address leaves n1; zebra withdraws it with no agent in between.
    const removedAt = performance.now();
    const atRemoval = await sh(
      n1,
      "sh",
      "-c",
      `ip addr del ${VIP}/32 dev kube-lb0 && ip -json route get ${VIP}`,
    );
    const [routeAtRemoval] = JSON.parse(atRemoval.stdout) as { dev?: string }[];
    expect(routeAtRemoval?.dev, "n1's route to the VIP the moment it left").toMatch(/^mo2r?$/);
    const single = await waitUntil(
      { name: "VIP down to one path on n3", timeoutMs: 5_000, intervalMs: 20 },
      async () => {
        const route = await readKernelRoute(n3, `${VIP}/32`);
        return { isDone: route?.devices.length === 1, state: JSON.stringify(route) };
      },
    );
    figures.vipWithdrawMs = Math.round(performance.now() - removedAt);
    expect(single.elapsedMs).toBeLessThan(1_000);
    // n1 itself now reaches the VIP over a tunnel, not into a blackhole.
    const onN1 = await readKernelRoute(n1, `${VIP}/32`);
    expect(onN1?.protocol).toBe("bgp");
    expect(onN1?.devices.every((dev) => dev.startsWith("mo"))).toBe(true);
    expect(
      (await ping(n1.node.netns, VIP, { source: n1.view.ipv4, count: 2, intervalSec: 0.2 })).isOk,
    ).toBe(true);
    const probed = await probes;
    expect(probed.sent).toBe(30);
    expect(findLostProbes(probed.output, probed.sent, 0.1)).toEqual([]);
    // No longer a holder: n1's agent removes the handover route and its rules on its next look.
    await waitUntil(
      { name: "n1's handover route and rules gone", timeoutMs: 10_000, intervalMs: 200 },
      async () => {
        const rules = await sh(n1, "ip", "-4", "rule", "show");
        const isRule = rules.stdout.includes(`lookup ${HANDOVER_TABLE}`);
        return { isDone: !isRule, state: rules.stdout.trim() };
      },
    );
  });

  it("B4: n2's tunnels cut → the anycast VIP only on n1 within BFD time; both again when restored", async () => {
    const offset = markAgentLog(n1.node);
    await sh(n1, "ip", "addr", "add", `${VIP}/32`, "dev", "kube-lb0");
    // n1's FRR may still announce the VIP from before B2's withdrawal was applied (zebra takes
    // the re-added address at once while that reload runs): start only once n1's agent took the
    // address up again and applied it, so two paths on n3 are not a leftover about to go.
    await waitUntil(
      { name: "n1's agent announcing the VIP again", timeoutMs: 20_000, intervalMs: 100 },
      () => {
        const lines = readAgentLog(n1.node, offset);
        const taken = lines.findIndex(
          (line) => line.msg === "route sources changed" && line.announced === 1,
        );
        const applied = taken >= 0 && lines.slice(taken).some((line) => line.msg === "reconciled");
        return Promise.resolve({ isDone: applied, state: taken >= 0 ? "applying" : "not seen" });
      },
    );
    const twoPaths = async () => (await readKernelRoute(n3, `${VIP}/32`))?.devices.length === 2;
    await waitRouted("VIP on n1 and n2 again (two paths on n3)", twoPaths);
    await waitForBfdUp([n1, n2, n3], 20_000);
    const toN1 = (await readKernelRoute(n3, `${n1.view.ipv4}/32`))?.devices;
    expect(toN1).toHaveLength(1);
    const cutAt = performance.now();
    await mesh.lab.setUnderlay(n2.node, false);
    try {
      await waitUntil(
        { name: "VIP only through n1's tunnel on n3", timeoutMs: 5_000, intervalMs: 20 },
        async () => {
          const route = await readKernelRoute(n3, `${VIP}/32`);
          return {
            isDone: JSON.stringify(route?.devices) === JSON.stringify(toN1),
            state: JSON.stringify(route),
          };
        },
      );
      figures.vipCutFailoverMs = Math.round(performance.now() - cutAt);
      // The suite's BFD bound (250 ms x 3 plus BGP and zebra), as for a cut node's own routes.
      expect(figures.vipCutFailoverMs).toBeLessThanOrEqual(1500);
      const reply = await ping(n3.node.netns, VIP, {
        source: n3.view.ipv4,
        count: 3,
        intervalSec: 0.2,
      });
      expect(reply.isOk).toBe(true);
    } finally {
      await mesh.lab.setUnderlay(n2.node, true);
    }
    await waitForSessions([n1, n2, n3], 60_000);
    await waitRouted("VIP on both holders after the underlay is back", twoPaths, 30_000);
    // B5 starts from n1 holding no VIP.
    await sh(n1, "ip", "addr", "del", `${VIP}/32`, "dev", "kube-lb0");
    await waitRouted(
      "VIP on n2 only",
      async () => (await readKernelRoute(n3, `${VIP}/32`))?.devices.length === 1,
    );
  });

  it("B5: never announces the pool, a default route, kube-ipvs0 or, even for a moment, more than the cap; reports why", async () => {
    await sh(n1, "ip", "addr", "add", "10.128.0.99/32", "dev", "kube-lb0");
    await sh(
      n1,
      "ip",
      "route",
      "add",
      "default",
      "dev",
      "kube-lb0",
      "proto",
      "static",
      "metric",
      "4000",
    );
    await sh(n1, "ip", "link", "add", "kube-ipvs0", "type", "veth", "peer", "name", "kube-ipvs0p");
    await sh(n1, "ip", "addr", "add", "198.51.100.200/32", "dev", "kube-ipvs0");
    // A flood: FLOOD VIPs on n1's kube-lb0 in one `ip -batch` (a load balancer assigning a
    // pool at once), twice the cap. Both peers' kernels are watched through every route event
    // from before the flood: no over-cap VIP may reach them, not even for a moment.
    const vips = Array.from({ length: FLOOD }, (_, i) => `198.51.100.${100 + i}`);
    const allowed = vips.slice(0, CAP);
    const watch = await watchHostRoutes(mesh.lab, [n2, n3], vips);
    await runCommand(["ip", "-n", n1.node.netns, "-batch", "-"], {
      input: vips.map((vip) => `addr add ${vip}/32 dev kube-lb0\n`).join(""),
    });

    type TCandidate = { prefix: string; verdict: string; refusal: string | null };
    const { value: candidates } = await waitUntil(
      { name: "n1 reporting its capped candidates", timeoutMs: 20_000, intervalMs: 500 },
      async () => {
        const list = await mesh.api.query<TCandidate[]>("routing.candidates", {
          nodeId: n1.view.nodeId,
        });
        const present = new Set(list.map((c) => c.prefix));
        return {
          isDone: vips.every((vip) => present.has(`${vip}/32`)),
          state: `${list.length} candidates`,
          value: list,
        };
      },
    );
    const refusal = (prefix: string) => candidates!.find((c) => c.prefix === prefix)?.refusal;
    expect(refusal("10.128.0.99/32")).toBe("always-denied");
    expect(refusal("0.0.0.0/0")).toBe("always-denied");
    expect(refusal("198.51.100.200/32")).toBeUndefined();
    const capped = candidates!.filter((c) => c.refusal === "prefix-cap").map((c) => c.prefix);
    expect(capped).toEqual(vips.slice(CAP).map((vip) => `${vip}/32`));
    // What the peers learned from n1: exactly the announced ones, never more than the cap.
    const routedOn = async (member: TMeshMember) =>
      (await Promise.all(vips.map((vip) => readKernelRoute(member, `${vip}/32`)))).filter(
        (route) => route !== null,
      ).length;
    await waitRouted(
      "exactly the cap of n1's VIPs on n2 and n3",
      async () => (await routedOn(n2)) === CAP && (await routedOn(n3)) === CAP,
    );
    await sleep(2_000); // anything late would show up in the route events now
    for (const seen of await watch.finish()) {
      expect({ node: seen.member.node.name, ever: seen.ever }).toEqual({
        node: seen.member.node.name,
        ever: allowed,
      });
      expect(seen.most).toBe(CAP);
    }
    for (const prefix of ["10.128.0.99/32", "198.51.100.200/32"]) {
      expect(await readKernelRoute(n3, prefix)).toBeNull();
    }
    expect(await hasNoFrrRoute(n3, "0.0.0.0/0")).toBe(true);
  });

  it("C: a routed VM bridge and a static route are announced; libvirt's default on two nodes is a conflict", async () => {
    await sh(n1, "ip", "link", "add", "vmbr1", "type", "bridge");
    await sh(n1, "ip", "link", "add", "vmbr1p", "type", "veth", "peer", "name", "vmbr1g");
    await sh(n1, "ip", "link", "set", "vmbr1p", "master", "vmbr1", "up");
    await sh(n1, "ip", "link", "set", "vmbr1g", "up");
    await sh(n1, "ip", "link", "set", "vmbr1", "up");
    await sh(n1, "ip", "addr", "add", "10.60.1.1/24", "dev", "vmbr1");
    await sh(n1, "ip", "route", "add", STATIC_V4, "dev", "vmbr1", "proto", "static");
    for (const member of [n1, n2]) {
      await sh(member, "ip", "link", "add", "virbr-lab", "type", "bridge");
      await sh(
        member,
        "ip",
        "link",
        "add",
        "virbr-labp",
        "type",
        "veth",
        "peer",
        "name",
        "virbr-labg",
      );
      await sh(member, "ip", "link", "set", "virbr-labp", "master", "virbr-lab", "up");
      await sh(member, "ip", "link", "set", "virbr-labg", "up");
      await sh(member, "ip", "link", "set", "virbr-lab", "up");
      await sh(member, "ip", "addr", "add", "192.168.122.1/24", "dev", "virbr-lab");
    }
    const vmPolicy = (extra: { prefix: string; maxLength: number }[]) => ({
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      allowedRanges: [
        ...extra.map((range) => ({ ...range, anycast: false, description: null })),
        { prefix: "192.168.122.0/24", maxLength: 24, anycast: false, description: null },
      ],
      sources: {
        interfaces: ["vmbr*", "virbr*"],
        excludeInterfaces: [],
        kernelProtocols: ["static"],
        ciliumPodCidr: false,
        speakers: [],
      },
    });
    await setRouting(n1, vmPolicy([{ prefix: "10.60.0.0/16", maxLength: 24 }]));
    await setRouting(n2, vmPolicy([]));
    await waitRouted(
      "the VM bridge and the static route on n2 and n3",
      async () =>
        (await isRoutedOverMesh([n2, n3], BRIDGE_V4)) &&
        (await isRoutedOverMesh([n2, n3], STATIC_V4)),
    );
    // C1: both nodes report libvirt's default; the controller holds it back, nobody routes it.
    const { value: conflicts } = await waitUntil(
      { name: "a conflict on 192.168.122.0/24", timeoutMs: 20_000, intervalMs: 500 },
      async () => {
        const list = await mesh.api.query<{ prefix: string; nodes: { id: string }[] }[]>(
          "routing.conflicts",
          {},
        );
        const found = list.find((c) => c.prefix === LIBVIRT);
        return { isDone: found !== undefined, state: `${list.length} conflicts`, value: found };
      },
    );
    expect(conflicts!.nodes.map((node) => node.id).sort()).toEqual(
      [n1.view.nodeId, n2.view.nodeId].sort(),
    );
    await waitRouted("libvirt's default withheld everywhere", async () => {
      const routes = await Promise.all([n1, n2, n3].map((m) => readKernelRoute(m, LIBVIRT)));
      return routes.every((route) => route === null || route.protocol !== "bgp");
    });
    // And it stays so (the withheld list is in FRR, not a race).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await readKernelRoute(n3, LIBVIRT)).toBeNull();
  });
  it("D1: a BIRD speaker behind n1 announces its VIP through n1, filtered, and withdraws it", async () => {
    const workload = await mesh.lab.addWorkload(n1.node);
    const summary = JSON.parse(await vtysh(n1.node, "show bgp ipv4 unicast summary json")) as {
      as?: number;
      ipv4Unicast?: { as?: number };
    };
    const n1Asn = summary.as ?? summary.ipv4Unicast?.as;
    expect(n1Asn).toBeGreaterThan(0);
    await runCommand(["ip", "-n", workload.netns, "addr", "add", "198.51.100.30/32", "dev", "lo"]);
    const dir = join(mesh.lab.dir, "bird");
    mkdirSync(dir, { recursive: true });
    const socket = join(dir, "bird.ctl");
    writeFileSync(
      join(dir, "bird.conf"),
      [
        `router id ${workload.ipv4};`,
        "protocol device {}",
        "protocol static {",
        "  ipv4;",
        ...["198.51.100.30/32", "10.128.0.5/32", "0.0.0.0/0", "192.168.1.0/24"].map(
          (prefix) => `  route ${prefix} blackhole;`,
        ),
        "}",
        "protocol bgp mesh {",
        `  local ${workload.ipv4} as 64600;`,
        `  neighbor ${workload.ipv4.replace(/\.2$/, ".1")} as ${n1Asn};`,
        "  ipv4 { import none; export all; };",
        "}",
        "",
      ].join("\n"),
    );
    mesh.lab.startOnHost("bird-w1", [
      "ip",
      "netns",
      "exec",
      workload.netns,
      "bird",
      "-f",
      "-c",
      join(dir, "bird.conf"),
      "-s",
      socket,
      "-P",
      join(dir, "bird.pid"),
    ]);
    await setRouting(n1, {
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      allowedRanges: [
        { prefix: "198.51.100.0/24", maxLength: 32, anycast: true, description: null },
      ],
      sources: {
        interfaces: [],
        excludeInterfaces: [],
        kernelProtocols: [],
        ciliumPodCidr: false,
        speakers: [{ listenRange: workload.ipv4Prefix, asn: 64600, maxPrefixes: 10 }],
      },
    });
    const announced = await waitRouted(
      "the speaker's VIP on n2 and n3",
      () => isRoutedOverMesh([n2, n3], "198.51.100.30/32"),
      30_000,
    );
    figures.speakerVipMs = Math.round(announced.elapsedMs);
    const reply = await ping(n3.node.netns, "198.51.100.30", {
      source: n3.view.ipv4,
      count: 3,
      intervalSec: 0.2,
    });
    expect(reply.isOk, reply.output).toBe(true);
    // The mesh sees n1 as the origin: the speaker's ASN is gone from the path.
    const onN3 = JSON.parse(
      await vtysh(n3.node, "show bgp ipv4 unicast 198.51.100.30/32 json"),
    ) as {
      paths?: { aspath?: { string?: string } }[];
    };
    // (n3 also has the copy n2 passes on: "<n2> <n1>"; every path ends at n1, none has 64600)
    const paths = (onN3.paths ?? []).map((path) => path.aspath?.string ?? "");
    expect(paths).toContain(String(n1Asn));
    for (const path of paths) {
      expect(path.endsWith(String(n1Asn))).toBe(true);
      expect(path).not.toContain("64600");
    }
    // The pool, a default route and a prefix outside the node's VIP range are filtered on n1.
    const received = JSON.parse(
      await vtysh(n1.node, `show bgp ipv4 unicast neighbors ${workload.ipv4} received-routes json`),
    ) as { receivedRoutes?: Record<string, unknown> };
    expect(Object.keys(received.receivedRoutes ?? {}).sort()).toEqual(
      ["0.0.0.0/0", "10.128.0.5/32", "192.168.1.0/24", "198.51.100.30/32"].sort(),
    );
    for (const prefix of ["10.128.0.5/32", "192.168.1.0/24"]) {
      expect(await readKernelRoute(n3, prefix)).toBeNull();
    }
    expect(await hasNoFrrRoute(n3, "0.0.0.0/0")).toBe(true);
    // The mesh sends the speaker nothing.
    const advertised = JSON.parse(
      await vtysh(
        n1.node,
        `show bgp ipv4 unicast neighbors ${workload.ipv4} advertised-routes json`,
      ),
    ) as { advertisedRoutes?: Record<string, unknown> };
    expect(Object.keys(advertised.advertisedRoutes ?? {})).toEqual([]);
    // n1 reports what the speaker announced, with the verdict of each route.
    type TCandidate = { prefix: string; source: string; refusal: string | null; verdict: string };
    const { value: reported } = await waitUntil(
      { name: "n1 reporting the speaker's routes", timeoutMs: 20_000, intervalMs: 500 },
      async () => {
        const list = await mesh.api.query<TCandidate[]>("routing.candidates", {
          nodeId: n1.view.nodeId,
        });
        const fromSpeaker = list.filter((c) => c.source === "speaker");
        return {
          isDone: fromSpeaker.length === 4,
          state: `${fromSpeaker.length}`,
          value: fromSpeaker,
        };
      },
    );
    const verdictOf = (prefix: string) => {
      const candidate = reported!.find((c) => c.prefix === prefix);
      return candidate?.refusal ?? candidate?.verdict;
    };
    expect(verdictOf("198.51.100.30/32")).toBe("announced");
    expect(verdictOf("10.128.0.5/32")).toBe("always-denied");
    expect(verdictOf("0.0.0.0/0")).toBe("always-denied");
    expect(verdictOf("192.168.1.0/24")).toBe("outside-allowed-ranges");
    // The speaker stops announcing → withdrawn mesh-wide.
    await runCommand(["birdc", "-s", socket, "disable", "mesh"]);
    await waitRouted("the speaker's VIP withdrawn from n2 and n3", async () =>
      (await Promise.all([n2, n3].map((m) => readKernelRoute(m, "198.51.100.30/32")))).every(
        (route) => route === null,
      ),
    );
  });
});
