import { describe, expect, it } from "vitest";
import { compileNodeConfigs, type TMeshNode } from "./compile-node-configs";
import { deriveFrrConfig } from "./derive-frr-config";
import { applyConfigDelta, diffNodeConfigs } from "./diff-node-config";
import {
  EMPTY_ROUTE_HOST_STATE,
  deriveRoutePolicy,
  isRangePermitCapSafe,
} from "./derive-route-policy";
import {
  DEFAULT_NODE_ROUTING,
  isInterfaceSelected,
  type TNodeRouting,
  type TRouteSources,
} from "./route-sources";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

const VIPS = { prefix: "198.51.100.0/24", maxLength: 32, anycast: true };

const ROUTING: TNodeRouting = {
  ...DEFAULT_NODE_ROUTING,
  mayOriginate: true,
  sources: { ...DEFAULT_NODE_ROUTING.sources, interfaces: ["kube-lb0", "vmbr*"] },
  allowedRanges: [VIPS],
};

function configOf(nodes: TMeshNode[], selfIndex = 1) {
  const config = compileNodeConfigs({ version: 1, settings: TEST_MESH_SETTINGS, nodes }).find(
    (c) => c.self.index === selfIndex,
  );
  if (!config) throw new Error("no such node");
  return config;
}

describe("isInterfaceSelected", () => {
  const sources: TRouteSources = {
    ...DEFAULT_NODE_ROUTING.sources,
    interfaces: ["kube-lb0", "vmbr*", "*"],
    excludeInterfaces: ["vmbr9"],
  };

  it("matches names and globs, minus the built-in and the node's exclusions", () => {
    expect(isInterfaceSelected("kube-lb0", sources)).toBe(true);
    expect(isInterfaceSelected("vmbr1", sources)).toBe(true);
    expect(isInterfaceSelected("vmbr9", sources)).toBe(false);
    for (const name of ["mo3", "lo", "wg0", "cilium_host", "lxc12ab", "kube-ipvs0", "docker0"]) {
      expect(isInterfaceSelected(name, sources)).toBe(false);
    }
  });

  it("treats glob metacharacters only as globs", () => {
    const dotted = { ...sources, interfaces: ["eth0.100"], excludeInterfaces: [] };
    expect(isInterfaceSelected("eth0.100", dotted)).toBe(true);
    expect(isInterfaceSelected("eth0x100", dotted)).toBe(false);
  });
});

describe("deriveRoutePolicy", () => {
  it("adds nothing when no node uses route sources", () => {
    expect(deriveRoutePolicy(configOf([makeTestMeshNode(1), makeTestMeshNode(2)]))).toBeNull();
  });

  it("binds every range to its origin: permits with the ASN first, then denies the range", () => {
    const config = configOf([
      makeTestMeshNode(1),
      makeTestMeshNode(2, { routing: ROUTING }),
      makeTestMeshNode(3, { routing: ROUTING }),
    ]);
    const policy = deriveRoutePolicy(config)!;
    const origin = policy.routeMaps.find((map) => map.name === "MO-ORIGIN-V4")!;
    expect(origin.entries.map((entry) => [entry.action, ...entry.matches])).toEqual([
      ["permit", "match ip address prefix-list MO-RANGE-2-V4", "match as-path MO-ORIGIN-2"],
      ["permit", "match ip address prefix-list MO-RANGE-3-V4", "match as-path MO-ORIGIN-3"],
      ["deny", "match ip address prefix-list MO-RANGE-2-V4"],
      ["deny", "match ip address prefix-list MO-RANGE-3-V4"],
      ["permit"],
    ]);
    expect(policy.asPathLists.map((entry) => entry.regex)).toEqual([
      "_4200000002$",
      "_4200000003$",
    ]);
    expect(policy.ipv4.meshRouteMapIn).toBe("MO-ORIGIN-V4");
    // Node 1 itself originates nothing: no redistribution, no source lists.
    expect(policy.ipv4.redistribute).toEqual([]);
    expect(policy.prefixLists.some((list) => list.name === "MO-SRC-V4")).toBe(false);
    // The mesh list admits the range with its length bound, in and out.
    const mesh = deriveFrrConfig(config).ipv4.prefixList;
    expect(mesh.at(-1)).toMatchObject({ action: "permit", prefix: "198.51.100.0/24", le: 32 });
  });

  it("a node that may not originate is nobody's origin and redistributes nothing", () => {
    const off = { ...ROUTING, mayOriginate: false };
    const config = configOf([makeTestMeshNode(1, { routing: off }), makeTestMeshNode(2)]);
    expect(
      deriveRoutePolicy(config, { ...EMPTY_ROUTE_HOST_STATE, interfaceNames: ["kube-lb0"] }),
    ).toBeNull();
    const peer = configOf([makeTestMeshNode(1), makeTestMeshNode(2, { routing: off })]);
    expect(deriveRoutePolicy(peer)).toBeNull();
  });

  it("redistributes connected routes only of selected interfaces present on the host", () => {
    const config = configOf([makeTestMeshNode(1, { routing: ROUTING })]);
    const policy = deriveRoutePolicy(config, {
      ...EMPTY_ROUTE_HOST_STATE,
      interfaceNames: ["eth0", "vmbr2", "kube-lb0", "mo2", "vmbr1"],
    })!;
    const connected = policy.routeMaps.find((map) => map.name === "MO-SRC-CONNECTED-V4")!;
    expect(connected.entries.map((entry) => entry.matches[0] ?? entry.action)).toEqual([
      "match interface kube-lb0",
      "match interface vmbr1",
      "match interface vmbr2",
      "deny",
    ]);
    expect(policy.ipv4.redistribute).toEqual([
      { protocol: "connected", routeMap: "MO-SRC-CONNECTED-V4" },
    ]);
    // No IPv6 range: nothing IPv6 is redistributed.
    expect(policy.ipv6.redistribute).toEqual([]);
  });

  it("permits whole ranges only while they cannot hold more prefixes than the cap", () => {
    // 198.51.100.0/24 up to /32 holds 511 prefixes.
    expect(isRangePermitCapSafe({ allowedRanges: [VIPS], maxPrefixes: 511 })).toBe(true);
    expect(isRangePermitCapSafe({ allowedRanges: [VIPS], maxPrefixes: 511 }, 1)).toBe(false);
    expect(isRangePermitCapSafe({ allowedRanges: [VIPS], maxPrefixes: 100 })).toBe(false);
    const wide = { prefix: "fd00::/8", maxLength: 128, anycast: false };
    expect(isRangePermitCapSafe({ allowedRanges: [wide], maxPrefixes: 100000 })).toBe(false);
  });

  it("under a cap the ranges could exceed, permits exactly the announced prefixes: an over-cap one never matches", () => {
    const config = configOf([makeTestMeshNode(1, { routing: { ...ROUTING, maxPrefixes: 2 } })]);
    const policy = deriveRoutePolicy(config, {
      ...EMPTY_ROUTE_HOST_STATE,
      interfaceNames: ["kube-lb0"],
      announcedPrefixes: ["198.51.100.2/32", "198.51.100.1/32", "10.9.9.0/24"],
      refusedPrefixes: ["198.51.100.3/32"],
    })!;
    const source = policy.prefixLists.find((list) => list.name === "MO-SRC-V4")!;
    const permits = source.entries.filter((entry) => entry.action === "permit");
    // Outside every allowed range (10.9.9.0/24) is left out too; no `le`, no range.
    expect(permits.map((entry) => [entry.prefix, entry.le])).toEqual([
      ["198.51.100.1/32", null],
      ["198.51.100.2/32", null],
    ]);
    // A prefix that appears before the agent judges it (a flood of VIPs) matches no permit.
    expect(permits.some((entry) => entry.prefix === "198.51.100.4/32" || entry.le)).toBe(false);
    // Prefix-list changes reach FRR's routes after 1 s, not FRR's default 5 s.
    expect(policy.routeMapDelaySec).toBe(1);
  });

  it("denies withheld and refused prefixes and the default route before any range permits", () => {
    const config = configOf([
      makeTestMeshNode(1, { routing: { ...ROUTING, withheld: ["198.51.100.7/32"] } }),
    ]);
    const policy = deriveRoutePolicy(config, {
      ...EMPTY_ROUTE_HOST_STATE,
      refusedPrefixes: ["198.51.100.8/32", "2001:db8::/64"],
    })!;
    const source = policy.prefixLists.find((list) => list.name === "MO-SRC-V4")!;
    const firstPermit = source.entries.findIndex((entry) => entry.action === "permit");
    const denied = source.entries.slice(0, firstPermit).map((entry) => entry.prefix);
    expect(denied).toEqual(
      expect.arrayContaining(["198.51.100.7/32", "198.51.100.8/32", "0.0.0.0/0"]),
    );
    expect(denied).toContain("10.128.0.0/16");
    expect(source.entries.slice(firstPermit)).toEqual([
      {
        seq: source.entries[firstPermit]!.seq,
        action: "permit",
        prefix: "198.51.100.0/24",
        ge: null,
        le: 32,
      },
    ]);
  });

  it("lets an exit node's ranges include the default route", () => {
    const exit = { ...ROUTING, exitNode: true };
    const policy = deriveRoutePolicy(configOf([makeTestMeshNode(1, { routing: exit })]))!;
    const source = policy.prefixLists.find((list) => list.name === "MO-SRC-V4")!;
    expect(source.entries.some((entry) => entry.prefix === "0.0.0.0/0")).toBe(false);
  });

  it("anchors the pod CIDR on its interface, never on a blackhole", () => {
    const routing = {
      ...ROUTING,
      allowedRanges: [
        ...ROUTING.allowedRanges,
        { prefix: "10.0.1.0/24", maxLength: 24, anycast: false },
      ],
    };
    const config = configOf([makeTestMeshNode(1, { routing })]);
    const host = {
      ...EMPTY_ROUTE_HOST_STATE,
      podCidrs: [{ prefix: "10.0.1.0/24", interface: "cilium_host" }],
    };
    const model = deriveFrrConfig(config, { routeHost: host });
    expect(model.routePolicy?.ipv4.networks).toEqual(["10.0.1.0/24"]);
    expect(model.routePolicy?.interfaceAnchors).toEqual([
      { prefix: "10.0.1.0/24", interface: "cilium_host" },
    ]);
    expect(model.anchorRoutes).toEqual([]);
  });

  it("accepts speakers only through the node's ranges, strips their ASN, sends them nothing", () => {
    const routing: TNodeRouting = {
      ...ROUTING,
      sources: {
        ...ROUTING.sources,
        speakers: [{ listenRange: "10.201.1.0/24", asn: 64600, maxPrefixes: 10 }],
      },
    };
    const policy = deriveRoutePolicy(configOf([makeTestMeshNode(1, { routing })]))!;
    expect(policy.speakers).toEqual([
      {
        peerGroup: "MO-SPK-1",
        asn: 64600,
        listenRange: "10.201.1.0/24",
        family: "ipv4",
        maxPrefixes: 10,
        routeMapIn: "MO-SPK-1-IN",
        routeMapOut: "MO-DENY-ALL",
      },
    ]);
    const inbound = policy.routeMaps.find((map) => map.name === "MO-SPK-1-IN")!;
    expect(inbound.entries[0]).toMatchObject({
      action: "permit",
      matches: ["match ip address prefix-list MO-SRC-V4"],
      sets: ["set as-path exclude 64600"],
    });
    expect(inbound.entries.at(-1)?.action).toBe("deny");
    // Without consent the session stays (for reporting) but takes nothing.
    const off = deriveRoutePolicy(
      configOf([makeTestMeshNode(1, { routing: { ...routing, mayOriginate: false } })]),
    )!;
    expect(off.speakers[0]?.routeMapIn).toBe("MO-DENY-ALL");
  });
});

describe("route-source ranges of nodes reached through a hub (#17)", () => {
  // n1 is the hub; spokes n2 and n3 peer only with it. n3 announces VIPs from its range.
  const spokeVips = { prefix: "203.0.113.0/24", maxLength: 32, anycast: false };
  const nodes = [
    makeTestMeshNode(1, { isHub: true }),
    makeTestMeshNode(2),
    makeTestMeshNode(3, { routing: { ...ROUTING, allowedRanges: [spokeVips] } }),
  ];

  it("admits another spoke's range on a spoke, bound to that spoke's ASN", () => {
    const spoke = configOf(nodes, 2);
    expect(spoke.peers.map((peer) => peer.index)).toEqual([1]);
    const frr = deriveFrrConfig(spoke);
    // The mesh prefix-list lets the range in (exact-match lists would drop a /32 inside it).
    expect(frr.ipv4.prefixList).toContainEqual(
      expect.objectContaining({ action: "permit", prefix: "203.0.113.0/24", le: 32 }),
    );
    // ... and the origin route-map binds it to n3: through the hub (path "n1 n3") it passes,
    // with any other origin it is denied.
    const policy = frr.routePolicy!;
    const range = policy.prefixLists.find((list) => list.name === "MO-RANGE-3-V4");
    expect(range?.entries.map((entry) => [entry.prefix, entry.le])).toEqual([
      ["203.0.113.0/24", 32],
    ]);
    expect(policy.asPathLists).toContainEqual(
      expect.objectContaining({ name: "MO-ORIGIN-3", regex: "_4200000003$" }),
    );
    const origin = policy.routeMaps.find((map) => map.name === "MO-ORIGIN-V4")!;
    expect(origin.entries.map((entry) => [entry.action, ...entry.matches])).toEqual([
      ["permit", "match ip address prefix-list MO-RANGE-3-V4", "match as-path MO-ORIGIN-3"],
      ["deny", "match ip address prefix-list MO-RANGE-3-V4"],
      ["permit"],
    ]);
    expect(policy.ipv4.meshRouteMapIn).toBe("MO-ORIGIN-V4");
  });

  it("carries remote ranges through config deltas, and drops them once the node peers directly", () => {
    const before = configOf(nodes, 2);
    const after = configOf(
      nodes.map((node) => (node.index === 1 ? { ...node, isHub: false } : node)),
      2,
    );
    expect(before.remoteRanges).toEqual([
      { index: 3, asn: 4200000003, allowedRanges: [spokeVips] },
    ]);
    expect(after.remoteRanges).toBeUndefined();
    expect(applyConfigDelta(before, diffNodeConfigs(before, after))).toEqual(after);
    expect(applyConfigDelta(after, diffNodeConfigs(after, before))).toEqual(before);
  });
});
