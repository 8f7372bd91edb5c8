import { describe, expect, it } from "vitest";
import { compileNodeConfigs, type TMeshNode } from "./compile-node-configs";
import { deriveFrrConfig } from "./derive-frr-config";
import { EMPTY_ROUTE_HOST_STATE, deriveRoutePolicy } from "./derive-route-policy";
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
