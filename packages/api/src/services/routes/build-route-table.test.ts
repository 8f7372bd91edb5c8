import { describe, expect, it } from "vitest";
import { buildRouteTable, type TRouteNode, type TRouteSession } from "./build-route-table";

const NOW = new Date("2026-01-01T12:00:00Z");
const T = new Date("2026-01-01T10:00:00Z");
const node = (
  i: number,
  prefixes: TRouteNode["prefixes"] = [],
  overrides: Partial<TRouteNode> = {},
): TRouteNode => ({
  id: `id${i}`,
  name: `n${i}`,
  ipv4: `10.128.0.${i}`,
  ipv6: `fd00::${i}`,
  createdAt: T,
  isOnline: true,
  isInSync: true,
  prefixes,
  ...overrides,
});
const up = (from: number, to: number, bgpState = "Established"): TRouteSession => ({
  nodeId: `id${from}`,
  peerId: `id${to}`,
  at: new Date(NOW.getTime() - 2_000),
  bgpState,
  prefixesReceived: 4,
});

function table(nodes: TRouteNode[], sessions: TRouteSession[], flaps = new Map<string, number>()) {
  return buildRouteTable({ nodes, sessions, lastChanges: new Map(), flaps, now: NOW });
}

describe("buildRouteTable", () => {
  it("lists node addresses and attached prefixes, received by every peer with a session", () => {
    const rows = table(
      [node(1, [{ cidr: "10.201.1.0/24", isAnycast: false, createdAt: T }]), node(2), node(3)],
      [up(2, 1), up(3, 1), up(1, 2), up(3, 2), up(1, 3), up(2, 3)],
    );
    expect(rows.map((r) => r.cidr)).toEqual([
      "10.201.1.0/24",
      "10.128.0.1/32",
      "10.128.0.2/32",
      "10.128.0.3/32",
      "fd00::1/128",
      "fd00::2/128",
      "fd00::3/128",
    ]);
    const attached = rows[0]!;
    expect(attached).toMatchObject({
      state: "received",
      receivedBy: 2,
      peerCount: 2,
      warnings: [],
    });
    expect(attached.origins).toEqual([{ nodeId: "id1", name: "n1" }]);
  });

  it("says announced but missing when peers have no Established session with the origin", () => {
    const rows = table([node(1), node(2), node(3)], [up(2, 1), up(3, 1, "Active")]);
    const row = rows.find((r) => r.cidr === "10.128.0.1/32")!;
    expect(row.state).toBe("received");
    expect(row.receivedBy).toBe(1);
    expect(row.warnings).toEqual(["missing on 1 of 2 nodes"]);
  });

  it("stays attached while its origin is offline or behind", () => {
    const rows = table([node(1, [], { isOnline: false }), node(2)], []);
    expect(rows.find((r) => r.cidr === "10.128.0.1/32")!.state).toBe("attached");
  });

  it("warns about duplicates without anycast, overlaps, default routes and flapping", () => {
    const rows = table(
      [
        node(1, [
          { cidr: "10.9.0.0/16", isAnycast: false, createdAt: T },
          { cidr: "0.0.0.0/0", isAnycast: false, createdAt: T },
        ]),
        node(2, [
          { cidr: "10.9.1.0/24", isAnycast: false, createdAt: T },
          { cidr: "10.7.0.0/24", isAnycast: false, createdAt: T },
        ]),
        node(3, [{ cidr: "10.7.0.0/24", isAnycast: false, createdAt: T }]),
      ],
      [],
      new Map([["id2", 5]]),
    );
    const warningsOf = (cidr: string) => rows.find((r) => r.cidr === cidr)!.warnings;
    expect(warningsOf("10.7.0.0/24")).toContain("attached to 2 nodes without anycast");
    expect(warningsOf("10.9.0.0/16")).toContain(
      "10.9.1.0/24 (n2) is more specific: it wins for its addresses",
    );
    expect(warningsOf("10.9.1.0/24")).toContain("shadows part of 10.9.0.0/16 (n1)");
    expect(warningsOf("0.0.0.0/0")).toContain("a default route (no node is an exit node)");
    expect(warningsOf("10.9.1.0/24")).toContain("flapping: 5 session drops");
  });
});
