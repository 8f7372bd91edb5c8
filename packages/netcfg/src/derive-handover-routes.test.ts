import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "./compile-node-configs";
import { deriveHandoverRoutes, hasMovablePrefixes } from "./derive-handover-routes";
import type { TRouteCandidate } from "./route-sources";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

const [node1] = compileNodeConfigs({
  version: 1,
  settings: TEST_MESH_SETTINGS,
  nodes: [1, 2, 3, 4].map((index) => makeTestMeshNode(index)),
});
const AS = (index: number) => 4200000000 + index;

const candidate = (prefix: string, overrides: Partial<TRouteCandidate> = {}): TRouteCandidate => ({
  prefix,
  source: "connected",
  interface: "kube-lb0",
  protocol: null,
  speaker: null,
  verdict: "announced",
  refusal: null,
  detail: null,
  ...overrides,
});

describe("handover routes", () => {
  it("routes a VIP this node holds to the other holder with the shortest AS path", () => {
    const routes = deriveHandoverRoutes(
      node1!,
      [candidate("198.51.100.20/32"), candidate("2001:db8:99::20/128")],
      [
        // n3 holds it too; n4 only passes n3's path on.
        { prefix: "198.51.100.20/32", neighborAsns: [AS(4), AS(3)], hops: [2, 1] },
        { prefix: "2001:db8:99::20/128", neighborAsns: [AS(2)], hops: [1] },
      ],
    );
    expect(routes).toEqual([
      { prefix: "198.51.100.20/32", device: "mo3" },
      { prefix: "2001:db8:99::20/128", device: "mo2" },
    ]);
  });

  it("breaks a tie between equally long paths by the lowest peer index", () => {
    const routes = deriveHandoverRoutes(
      node1!,
      [candidate("198.51.100.20/32")],
      [{ prefix: "198.51.100.20/32", neighborAsns: [AS(4), AS(2)], hops: [1, 1] }],
    );
    expect(routes).toEqual([{ prefix: "198.51.100.20/32", device: "mo2" }]);
  });

  it("leaves out prefixes nobody else announces, that cannot move, or that this node does not announce", () => {
    const candidates = [
      candidate("198.51.100.20/32"), // only this node holds it
      candidate("192.168.50.0/24", { interface: "virbr0" }), // a bridge subnet: not a host
      candidate("198.51.100.30/32", { source: "kernel", interface: "eth1", protocol: "static" }),
      candidate("198.51.100.40/32", { verdict: "refused", refusal: "outside-allowed-ranges" }),
    ];
    const rib = [
      { prefix: "192.168.50.0/24", neighborAsns: [AS(2)], hops: [1] },
      { prefix: "198.51.100.30/32", neighborAsns: [AS(2)], hops: [1] },
      { prefix: "198.51.100.40/32", neighborAsns: [AS(2)], hops: [1] },
      // A path from an AS that is no peer of this node (a speaker behind it).
      { prefix: "198.51.100.20/32", neighborAsns: [65001], hops: [1] },
    ];
    expect(deriveHandoverRoutes(node1!, candidates, rib)).toEqual([]);
    expect(hasMovablePrefixes(candidates)).toBe(true);
    expect(hasMovablePrefixes(candidates.slice(1))).toBe(false);
  });

  it("uses the pair's current slot: mo<i>r once the keys have rotated an odd number of times", () => {
    const [rotated] = compileNodeConfigs({
      version: 2,
      settings: TEST_MESH_SETTINGS,
      nodes: [1, 2].map((index) => ({
        ...makeTestMeshNode(index),
        keyGeneration: index === 2 ? 1 : 0,
      })),
    });
    const routes = deriveHandoverRoutes(
      rotated!,
      [candidate("198.51.100.20/32")],
      [{ prefix: "198.51.100.20/32", neighborAsns: [AS(2)], hops: [1] }],
    );
    expect(routes).toEqual([{ prefix: "198.51.100.20/32", device: "mo2r" }]);
  });
});
