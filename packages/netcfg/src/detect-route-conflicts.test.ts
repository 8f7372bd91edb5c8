import { describe, expect, it } from "vitest";
import {
  deriveWithheldPrefixes,
  detectRouteConflicts,
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
