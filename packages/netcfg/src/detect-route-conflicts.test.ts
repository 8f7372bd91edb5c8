import { describe, expect, it } from "vitest";
import {
  deriveWithheldPrefixes,
  detectRouteConflicts,
  detectRouteOverlaps,
  findWellKnownPerHostPrefix,
} from "./detect-route-conflicts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";

function seen(nodeId: string, prefix: string, isAnycast = false, isEligible = true) {
  return { nodeId, prefix, isAnycast, isEligible };
}

describe("detectRouteConflicts", () => {
  it("flags a unicast prefix on two nodes, not one on a single node", () => {
    const conflicts = detectRouteConflicts([
      seen(A, "10.60.1.0/24"),
      seen(B, "10.60.1.0/24"),
      seen(A, "10.60.2.0/24"),
    ]);
    expect(conflicts.map((c) => [c.prefix, c.nodeIds])).toEqual([["10.60.1.0/24", [A, B]]]);
    expect(conflicts[0]?.reason).toMatch(/2 nodes/);
  });

  it("lets anycast ranges share a prefix unless one side is unicast", () => {
    expect(
      detectRouteConflicts([seen(A, "198.51.100.10/32", true), seen(B, "198.51.100.10/32", true)]),
    ).toEqual([]);
    expect(
      detectRouteConflicts([seen(A, "198.51.100.10/32", true), seen(B, "198.51.100.10/32", false)]),
    ).toHaveLength(1);
  });

  it("flags a well-known per-host default on several nodes even from anycast ranges", () => {
    const conflicts = detectRouteConflicts([
      seen(A, "192.168.122.0/24", true),
      seen(B, "192.168.122.0/24", true),
      seen(C, "10.0.3.0/24", true),
      seen(A, "10.0.3.0/24", true),
    ]);
    expect(conflicts.map((c) => c.prefix)).toEqual(["10.0.3.0/24", "192.168.122.0/24"]);
    expect(conflicts[1]?.reason).toMatch(/libvirt/);
    expect(conflicts[0]?.reason).toMatch(/Cilium/);
  });

  it("ignores candidates the policy would not announce anyway", () => {
    expect(
      detectRouteConflicts([seen(A, "10.60.1.0/24"), seen(B, "10.60.1.0/24", false, false)]),
    ).toEqual([]);
  });

  it("knows the per-host defaults", () => {
    expect(findWellKnownPerHostPrefix("172.17.0.0/16")?.what).toMatch(/Docker/);
    expect(findWellKnownPerHostPrefix("172.16.0.0/12")).toBeNull();
    expect(findWellKnownPerHostPrefix("10.0.7.0/24")?.what).toMatch(/Cilium/);
    // A VIP inside 10.0.0.0/8 is not Cilium's per-node block.
    expect(findWellKnownPerHostPrefix("10.70.0.5/32")).toBeNull();
  });
});

describe("deriveWithheldPrefixes", () => {
  const conflicts = detectRouteConflicts([seen(A, "10.60.1.0/24"), seen(B, "10.60.1.0/24")]);

  it("withholds an open conflict from every node in it", () => {
    expect(deriveWithheldPrefixes(A, conflicts, [])).toEqual(["10.60.1.0/24"]);
    expect(deriveWithheldPrefixes(C, conflicts, [])).toEqual([]);
  });

  it("follows the admin's answer", () => {
    const chosen = [{ prefix: "10.60.1.0/24", kind: "node" as const, nodeId: B }];
    expect(deriveWithheldPrefixes(A, conflicts, chosen)).toEqual(["10.60.1.0/24"]);
    expect(deriveWithheldPrefixes(B, conflicts, chosen)).toEqual([]);
    const anycast = [{ prefix: "10.60.1.0/24", kind: "anycast" as const, nodeId: null }];
    expect(deriveWithheldPrefixes(A, conflicts, anycast)).toEqual([]);
    const withhold = [{ prefix: "10.60.1.0/24", kind: "withhold" as const, nodeId: null }];
    expect(deriveWithheldPrefixes(B, conflicts, withhold)).toEqual(["10.60.1.0/24"]);
  });
});

describe("detectRouteOverlaps", () => {
  it("warns of a /25 on one node inside a /24 on another, naming the nearest wider prefix", () => {
    const overlaps = detectRouteOverlaps([
      seen(A, "10.60.0.0/16"),
      seen(A, "10.60.1.0/24"),
      seen(B, "10.60.1.128/25"),
      seen(B, "10.61.0.0/24"),
      seen(C, "fd00:1::/64"),
      seen(B, "fd00:1::80/121"),
    ]);
    expect(overlaps.map((o) => [o.prefix, o.nodeIds, o.within, o.withinNodeIds])).toEqual([
      ["10.60.1.128/25", [B], "10.60.1.0/24", [A]],
      ["fd00:1::80/121", [B], "fd00:1::/64", [C]],
    ]);
    expect(overlaps[0]?.reason).toMatch(/inside 10\.60\.1\.0\/24 of another node/);
  });

  it("ignores nesting on one node, refused candidates, equal prefixes and default routes", () => {
    expect(
      detectRouteOverlaps([
        seen(A, "10.60.1.0/24"),
        seen(A, "10.60.1.7/32"),
        seen(B, "10.60.1.128/25", false, false),
        seen(B, "10.60.3.0/24", true),
        seen(C, "10.60.3.0/24", true),
        seen(C, "0.0.0.0/0"),
      ]),
    ).toEqual([]);
    // A /32 that A announces with B (anycast) inside A's own /24: nothing of B's is shadowed.
    expect(
      detectRouteOverlaps([
        seen(A, "198.51.100.0/24"),
        seen(A, "198.51.100.10/32", true),
        seen(B, "198.51.100.10/32", true),
      ]),
    ).toEqual([]);
  });

  it("looks past a disjoint sibling to the prefix that encloses both", () => {
    const overlaps = detectRouteOverlaps([
      seen(A, "10.0.0.0/16"),
      seen(B, "10.0.1.0/24"),
      seen(C, "10.0.2.0/24"),
    ]);
    expect(overlaps.map((o) => [o.prefix, o.within])).toEqual([
      ["10.0.1.0/24", "10.0.0.0/16"],
      ["10.0.2.0/24", "10.0.0.0/16"],
    ]);
  });
});
