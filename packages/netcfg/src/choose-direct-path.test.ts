import { describe, expect, it } from "vitest";
import {
  chooseDirectPath,
  isPrivateUnderlayAddress,
  resolveBehindNat,
  viewUnderlay,
  type TUnderlayMode,
} from "./choose-direct-path";
import { buildReachabilityMatrix } from "./build-reachability-matrix";
import { compileMesh, hasPerNodePeerLists } from "./compile-node-configs";
import { diffNodeConfigs, applyConfigDelta } from "./diff-node-config";
import { deriveTunnels } from "./derive-tunnels";
import { deriveFrrConfig } from "./derive-frr-config";
import { isPolicyLine } from "./plan/parse-frr-running-config";
import { renderFrrConfig } from "./render-frr-config";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

const DUAL = ["2001:db8::1", "198.18.0.1"];
const V6 = ["2001:db8::2"];
const V4 = ["198.18.0.3"];
const view = (endpoints: string[], isBehindNat = false) => viewUnderlay({ endpoints, isBehindNat });

describe("chooseDirectPath", () => {
  it.each([
    [
      "dual-stack pair: IPv6",
      view(DUAL),
      view(DUAL),
      { kind: "direct", family: "ipv6", peerAddress: "2001:db8::1" },
    ],
    [
      "dual-stack to IPv4-only: IPv4",
      view(DUAL),
      view(V4),
      { kind: "direct", family: "ipv4", peerAddress: "198.18.0.3" },
    ],
    [
      "dual-stack to IPv6-only: IPv6",
      view(DUAL),
      view(V6),
      { kind: "direct", family: "ipv6", peerAddress: "2001:db8::2" },
    ],
    [
      "IPv4-only to IPv6-only: none",
      view(V4),
      view(V6),
      { kind: "none", reason: "no-common-family" },
    ],
    [
      "to a NATed peer: it dials us",
      view(DUAL),
      view(["10.1.0.5"], true),
      { kind: "direct", family: "ipv4", peerAddress: null },
    ],
    [
      "from a NATed node: we dial",
      view(["10.1.0.5"], true),
      view(DUAL),
      { kind: "direct", family: "ipv4", peerAddress: "198.18.0.1" },
    ],
    [
      "two NATed nodes: none",
      view(["10.1.0.5"], true),
      view(["10.2.0.5"], true),
      { kind: "none", reason: "both-behind-nat" },
    ],
    [
      "NATed IPv4 to IPv6-only: none",
      view(["10.1.0.5"], true),
      view(V6),
      { kind: "none", reason: "no-common-family" },
    ],
    [
      "no endpoints at all: none",
      view([]),
      view(DUAL),
      { kind: "none", reason: "no-common-family" },
    ],
  ])("%s", (_name, self, peer, expected) => {
    expect(chooseDirectPath(self, peer)).toEqual(expected);
  });

  it("is symmetric: both ends agree on the family and on whether a path exists", () => {
    const views = [view(DUAL), view(V4), view(V6), view(["10.0.0.1"], true), view(DUAL, true)];
    for (const a of views) {
      for (const b of views) {
        const ab = chooseDirectPath(a, b);
        const ba = chooseDirectPath(b, a);
        expect(ab.kind).toBe(ba.kind);
        if (ab.kind === "direct" && ba.kind === "direct") {
          expect(ab.family).toBe(ba.family);
          // At least one side dials.
          expect(ab.peerAddress !== null || ba.peerAddress !== null).toBe(true);
        }
      }
    }
  });
});

describe("resolveBehindNat", () => {
  it.each<[TUnderlayMode, string[], boolean]>([
    ["auto", ["2001:db8::1"], false],
    ["auto", ["192.168.1.10"], true],
    ["auto", ["100.64.3.4", "fd00::1"], true],
    ["auto", ["192.168.1.10", "2001:db8::1"], false],
    ["auto", [], true],
    ["behind_nat", ["2001:db8::1"], true],
    ["public", ["192.168.1.10"], false],
  ])("%s with %j: %s", (mode, endpoints, expected) => {
    expect(resolveBehindNat(mode, endpoints)).toBe(expected);
  });

  it("classifies private ranges", () => {
    expect(isPrivateUnderlayAddress("172.31.255.1")).toBe(true);
    expect(isPrivateUnderlayAddress("172.32.0.1")).toBe(false);
    expect(isPrivateUnderlayAddress("198.18.0.1")).toBe(false);
    expect(isPrivateUnderlayAddress("fe80::1")).toBe(true);
  });
});

describe("compileMesh with underlay constraints", () => {
  const nodes = [
    makeTestMeshNode(1, { endpoints: DUAL }),
    makeTestMeshNode(2, { endpoints: ["2001:db8::2", "198.18.0.2"] }),
    makeTestMeshNode(3, { endpoints: V6 }),
    makeTestMeshNode(4, { endpoints: ["198.18.0.4"] }),
    makeTestMeshNode(5, { endpoints: ["10.5.0.2"] }),
    makeTestMeshNode(6, { endpoints: ["198.18.0.6"], underlayMode: "behind_nat" }),
  ];
  const peerIndexes = (configs: ReturnType<typeof compileMesh>["configs"], index: number) =>
    configs.find((c) => c.self.index === index)!.peers.map((p) => p.index);

  it("never builds the impossible tunnels, and says why", () => {
    const { configs, skippedPairs } = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes,
    });
    expect(peerIndexes(configs, 1)).toEqual([2, 3, 4, 5, 6]);
    expect(peerIndexes(configs, 3)).toEqual([1, 2]);
    expect(peerIndexes(configs, 4)).toEqual([1, 2, 5, 6]);
    expect(peerIndexes(configs, 5)).toEqual([1, 2, 4]);
    expect(peerIndexes(configs, 6)).toEqual([1, 2, 4]);
    const byIndex = (id: string) => nodes.find((n) => n.id === id)!.index;
    expect(skippedPairs.map((p) => `${byIndex(p.a)}-${byIndex(p.b)} ${p.reason}`).sort()).toEqual([
      "3-4 no-common-family",
      "3-5 no-common-family",
      "3-6 no-common-family",
      "5-6 both-behind-nat",
    ]);
    // Nodes 1 and 2 have a tunnel to everyone: no path longer than a one-node detour. The
    // others reach some nodes only through chains and accept any length.
    const limits = configs.map((c) => `${c.self.index}:${c.settings.maxAsPathLength ?? "any"}`);
    expect(limits).toEqual(["1:2", "2:2", "3:any", "4:any", "5:any", "6:any"]);
    // Every kept pair is kept on both sides, and the NATed side always dials.
    for (const config of configs) {
      for (const tunnel of deriveTunnels(config)) {
        const back = configs.find((c) => c.self.id === tunnel.peerId)!;
        expect(back.peers.map((p) => p.id)).toContain(config.self.id);
        if (config.self.isBehindNat) expect(tunnel.endpoint).not.toBeNull();
        const peer = config.peers.find((p) => p.id === tunnel.peerId)!;
        if (peer.isBehindNat) expect(tunnel.endpoint).toBeNull();
      }
    }
  });

  it("leaves out measured-dead pairs, and deltas add and remove peers as pairs change", () => {
    const base = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes });
    const next = compileMesh({
      version: 2,
      settings: TEST_MESH_SETTINGS,
      nodes: nodes.map((n) => (n.index === 5 ? { ...n, underlayMode: "public" as const } : n)),
      failedPairs: [{ nodeIds: [nodes[1]!.id, nodes[0]!.id], reason: "no handshake in 60 s" }],
    });
    expect(next.skippedPairs).toContainEqual({
      a: nodes[0]!.id,
      b: nodes[1]!.id,
      reason: "measured-dead",
      detail: "no handshake in 60 s",
    });
    for (const config of next.configs) {
      const old = base.configs.find((c) => c.self.id === config.self.id)!;
      expect(applyConfigDelta(old, diffNodeConfigs(old, config))).toEqual(config);
    }
    // Node 5 is no longer behind NAT: node 6 (behind NAT) now gets it as a peer.
    expect(peerIndexes(next.configs, 6)).toEqual([1, 2, 4, 5]);
    expect(peerIndexes(next.configs, 1)).toEqual([3, 4, 5, 6]);
  });
});

describe("no-transit nodes", () => {
  it("announce only their own routes (as-path ^$ route map outbound), others nothing extra", () => {
    const nodes = [makeTestMeshNode(1, { canTransit: false }), makeTestMeshNode(2)];
    const [noTransit, transit] = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes,
    }).configs;
    const text = renderFrrConfig(deriveFrrConfig(noTransit!));
    expect(text).toContain("  neighbor MESH route-map MO-NO-TRANSIT out\n");
    expect(text.match(/route-map MO-NO-TRANSIT out/g)).toHaveLength(2);
    expect(text).toContain("bgp as-path access-list MO-OWN seq 5 permit ^$\n");
    expect(text).toContain("route-map MO-NO-TRANSIT permit 10\n match as-path MO-OWN\n");
    // The planner sees the policy, so toggling transit reloads FRR.
    const policy = text.split("\n").filter(isPolicyLine);
    expect(policy).toContain("route-map MO-NO-TRANSIT permit 10");
    expect(renderFrrConfig(deriveFrrConfig(transit!))).not.toContain("MO-NO-TRANSIT");
  });
});

describe("buildReachabilityMatrix", () => {
  const nodes = [
    makeTestMeshNode(1, { endpoints: DUAL }),
    makeTestMeshNode(2, { endpoints: ["2001:db8::2", "198.18.0.2"] }),
    makeTestMeshNode(3, { endpoints: V6 }),
    makeTestMeshNode(4, { endpoints: ["198.18.0.4"] }),
    makeTestMeshNode(5, { endpoints: ["10.5.0.2"] }),
  ];
  const id = (index: number) => nodes.find((n) => n.index === index)!.id;
  const reachOf = (matrix: ReturnType<typeof buildReachabilityMatrix>, a: number, b: number) =>
    matrix.find((p) => p.a === id(a) && p.b === id(b))!.reach;

  it("shows direct families, relays for impossible pairs, and unreachable without transit", () => {
    const { peers, skippedPairs } = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes,
    });
    const matrix = buildReachabilityMatrix({ nodes: peers, skippedPairs });
    expect(matrix).toHaveLength(10);
    expect(reachOf(matrix, 1, 2)).toEqual({ kind: "direct", family: "ipv6" });
    expect(reachOf(matrix, 1, 4)).toEqual({ kind: "direct", family: "ipv4" });
    expect(reachOf(matrix, 1, 5)).toEqual({ kind: "direct", family: "ipv4" });
    expect(reachOf(matrix, 3, 5)).toEqual({
      kind: "via",
      reason: "no-common-family",
      detail: null,
      relays: [[id(1)], [id(2)]],
    });
    // Nodes 1 and 2 carry no transit: 3 and 5 cannot reach each other at all.
    const closed = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes: nodes.map((n) => (n.index <= 2 ? { ...n, canTransit: false } : n)),
    });
    const closedMatrix = buildReachabilityMatrix({
      nodes: closed.peers,
      skippedPairs: closed.skippedPairs,
    });
    expect(reachOf(closedMatrix, 3, 5)).toMatchObject({ kind: "unreachable" });
    // IPv4-only 4 and IPv6-only 3 relay through the dual-stack nodes.
    expect(reachOf(matrix, 3, 4)).toMatchObject({ kind: "via", relays: [[id(1)], [id(2)]] });
  });

  it("finds longer relay chains when no single node reaches both", () => {
    const chain = [
      makeTestMeshNode(1, { endpoints: ["2001:db8::1"] }),
      makeTestMeshNode(2, { endpoints: ["2001:db8::2", "198.18.0.2"], underlayMode: "behind_nat" }),
      makeTestMeshNode(3, { endpoints: ["198.18.0.3"] }),
      makeTestMeshNode(4, { endpoints: ["10.4.0.1"] }),
    ];
    const compiled = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes: chain });
    const matrix = buildReachabilityMatrix({
      nodes: compiled.peers,
      skippedPairs: compiled.skippedPairs,
    });
    const pair = matrix.find((p) => p.a === chain[0]!.id && p.b === chain[3]!.id)!;
    expect(pair.reach).toMatchObject({ kind: "via", relays: [[chain[1]!.id, chain[2]!.id]] });
  });
});

describe("hub-and-spoke", () => {
  it("gives spokes only the hubs as peers, hubs everyone, and the matrix routes spokes via hubs", () => {
    const nodes = [1, 2, 3, 4, 5].map((i) =>
      makeTestMeshNode(i, { endpoints: [`2001:db8::${i}`], isHub: i <= 2 }),
    );
    const compiled = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes });
    const peerIndexes = (index: number) =>
      compiled.configs.find((c) => c.self.index === index)!.peers.map((p) => p.index);
    expect(peerIndexes(1)).toEqual([2, 3, 4, 5]);
    expect(peerIndexes(3)).toEqual([1, 2]);
    expect(peerIndexes(5)).toEqual([1, 2]);
    expect(compiled.skippedPairs).toEqual([]);
    expect(hasPerNodePeerLists(compiled)).toBe(true);
    // Hubs reach everyone directly; spokes reach each other through hubs (any path length).
    const limits = compiled.configs.map((c) => c.settings.maxAsPathLength ?? "any");
    expect(limits).toEqual([2, 2, "any", "any", "any"]);
    // A lone spoke has a tunnel to every other node, like a hub.
    const lone = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes: nodes.slice(0, 3),
    });
    expect(lone.configs.map((c) => c.settings.maxAsPathLength)).toEqual([2, 2, 2]);
    const matrix = buildReachabilityMatrix({
      nodes: compiled.peers,
      skippedPairs: compiled.skippedPairs,
      hubIds: compiled.hubIds,
    });
    const pair = matrix.find((p) => p.a === nodes[2]!.id && p.b === nodes[4]!.id)!;
    expect(pair.reach).toEqual({
      kind: "via",
      reason: "hub-and-spoke",
      detail: null,
      relays: [[nodes[0]!.id], [nodes[1]!.id]],
    });
    // Deltas stay exact when a node becomes a hub.
    const next = compileMesh({
      version: 2,
      settings: TEST_MESH_SETTINGS,
      nodes: nodes.map((n) => (n.index === 3 ? { ...n, isHub: true } : n)),
    });
    for (const config of next.configs) {
      const old = compiled.configs.find((c) => c.self.id === config.self.id)!;
      expect(applyConfigDelta(old, diffNodeConfigs(old, config))).toEqual(config);
    }
  });
});

describe("routes of nodes reached through others", () => {
  it("let the prefixes of non-peers through the prefix lists, and deltas carry their changes", () => {
    const nodes = [
      makeTestMeshNode(1, { endpoints: DUAL }),
      makeTestMeshNode(3, { endpoints: V6, advertisedPrefixes: ["10.201.3.0/24"] }),
      makeTestMeshNode(4, { endpoints: ["198.18.0.4"], advertisedPrefixes: ["10.201.4.0/24"] }),
    ];
    const base = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes });
    const v6only = base.configs.find((c) => c.self.index === 3)!;
    expect(v6only.remotePrefixes).toEqual(["10.201.3.0/24", "10.201.4.0/24"]);
    expect(base.configs.find((c) => c.self.index === 1)!.remotePrefixes).toBeUndefined();
    const prefixList = deriveFrrConfig(v6only).ipv4.prefixList.map((e) => e.prefix);
    expect(prefixList).toContain("10.201.4.0/24");

    const next = compileMesh({
      version: 2,
      settings: TEST_MESH_SETTINGS,
      nodes: nodes.map((n) =>
        n.index === 4 ? { ...n, advertisedPrefixes: ["10.201.4.0/24", "10.202.4.0/24"] } : n,
      ),
    });
    const nextV6only = next.configs.find((c) => c.self.index === 3)!;
    const delta = diffNodeConfigs(v6only, nextV6only);
    expect(delta.upsertPeers).toEqual([]);
    expect(delta.remotePrefixes).toEqual(["10.201.3.0/24", "10.201.4.0/24", "10.202.4.0/24"]);
    expect(applyConfigDelta(v6only, delta)).toEqual(nextV6only);
  });
});
