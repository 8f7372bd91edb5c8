import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "./compile-node-configs";
import {
  isEmptyRouteReport,
  makeRouteReport,
  observeRoutes,
  parseBgpRib,
  parseKernelRoutes,
} from "./observe-routes";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

const [node1] = compileNodeConfigs({
  version: 1,
  settings: TEST_MESH_SETTINGS,
  nodes: [1, 2, 3].map((index) => makeTestMeshNode(index)),
});
const PEER2 = makeTestMeshNode(2).id;
const PEER3 = makeTestMeshNode(3).id;

// Shapes as FRR 8.4 and iproute2 print them (fields the parser does not read trimmed).
const RIB = JSON.stringify({
  vrfId: 0,
  routes: {
    "10.128.0.1/32": [{ valid: true, bestpath: true, path: "", network: "10.128.0.1/32" }],
    "10.128.0.2/32": [
      { valid: true, bestpath: true, path: "4200000002" },
      { valid: true, path: "4200000003 4200000002" },
    ],
    "10.128.0.3/32": [{ valid: true, path: "4200000003" }],
    "192.0.2.0/24": [{ valid: true, path: "65001" }],
  },
});
const KERNEL_V4 = JSON.stringify([
  { dst: "10.128.0.2", dev: "mo2", protocol: "bgp", via: { family: "inet6", host: "fe80::2" } },
  {
    dst: "10.128.0.9",
    protocol: "bgp",
    nexthops: [{ dev: "mo3" }, { dev: "mo2" }],
  },
  { dst: "default", dev: "eth0", protocol: "bgp" },
]);

describe("observed routes", () => {
  it("reads the RIB: neighbour ASes of valid received paths, local routes left out", () => {
    expect(parseBgpRib(RIB)).toEqual([
      { prefix: "10.128.0.2/32", neighborAsns: [4200000002, 4200000003], hops: [1, 2] },
      { prefix: "10.128.0.3/32", neighborAsns: [4200000003], hops: [1] },
      { prefix: "192.0.2.0/24", neighborAsns: [65001], hops: [1] },
    ]);
  });

  it("reads kernel routes with single and multipath next hops, and default", () => {
    expect(parseKernelRoutes(KERNEL_V4, "ipv4")).toEqual([
      { prefix: "10.128.0.2/32", devices: ["mo2"] },
      { prefix: "10.128.0.9/32", devices: ["mo3", "mo2"] },
      { prefix: "0.0.0.0/0", devices: ["eth0"] },
    ]);
    expect(parseKernelRoutes("", "ipv6")).toEqual([]);
  });

  it("maps paths to peers by ASN and next hops to peers by tunnel", () => {
    const observed = observeRoutes(node1!, parseBgpRib(RIB), parseKernelRoutes(KERNEL_V4, "ipv4"));
    expect(Object.fromEntries(observed.received)).toEqual({
      "10.128.0.2/32": [PEER2, PEER3].sort(),
      "10.128.0.3/32": [PEER3],
      "192.0.2.0/24": [],
    });
    expect(Object.fromEntries(observed.installed)).toEqual({
      "10.128.0.2/32": [PEER2],
      "10.128.0.9/32": [PEER2, PEER3].sort(),
      "0.0.0.0/0": [],
    });
    // A pair whose keys rotated an odd number of times routes through its other slot.
    const rotated = observeRoutes(node1!, [], [{ prefix: "10.128.0.3/32", devices: ["mo3r"] }]);
    expect(Object.fromEntries(rotated.installed)).toEqual({ "10.128.0.3/32": [PEER3] });
  });

  it("reports a full set first, then only what changed against the acknowledged one", () => {
    const first = observeRoutes(node1!, parseBgpRib(RIB), []);
    const full = makeRouteReport(null, first, 1);
    expect(full.baseSeq).toBeNull();
    expect(full.received.map((r) => r.prefix)).toEqual([
      "10.128.0.2/32",
      "10.128.0.3/32",
      "192.0.2.0/24",
    ]);
    expect(isEmptyRouteReport(full)).toBe(false);

    const same = makeRouteReport({ seq: 1, routes: first }, first, 2);
    expect(isEmptyRouteReport(same)).toBe(true);

    const next = {
      received: new Map(first.received),
      installed: new Map([["10.128.0.3/32", [PEER3]]]),
    };
    next.received.delete("192.0.2.0/24");
    next.received.set("10.128.0.2/32", [PEER2]);
    const delta = makeRouteReport({ seq: 1, routes: first }, next, 2);
    expect(delta).toEqual({
      seq: 2,
      baseSeq: 1,
      received: [{ prefix: "10.128.0.2/32", via: [PEER2] }],
      receivedGone: ["192.0.2.0/24"],
      installed: [{ prefix: "10.128.0.3/32", via: [PEER3] }],
      installedGone: [],
    });
  });
});
