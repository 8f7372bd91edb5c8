import { describe, expect, it } from "vitest";
import {
  buildRouteTable,
  type TCandidateRow,
  type TObservedRouteRow,
  type TRouteNode,
  type TRouteSession,
} from "./build-route-table";

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
    expect(warningsOf("0.0.0.0/0")).toContain("a default route from n1, not an exit node");
    expect(warningsOf("10.9.1.0/24")).toContain("flapping: 5 session drops");
  });
});

it("does not warn about a default route from an exit node", () => {
  const exit = node(1, [{ cidr: "::/0", isAnycast: false, createdAt: T }], { isExitNode: true });
  const rows = table([exit, node(2)], []);
  expect(rows.find((r) => r.cidr === "::/0")!.warnings).not.toContainEqual(
    expect.stringContaining("default route"),
  );
});

describe("buildRouteTable from route reports", () => {
  const seen = (
    nodeId: number,
    kind: TObservedRouteRow["kind"],
    prefix: string,
    via: number[],
    overrides: Partial<TObservedRouteRow> = {},
  ): TObservedRouteRow => ({
    nodeId: `id${nodeId}`,
    kind,
    prefix,
    via: via.map((i) => `id${i}`),
    isPresent: true,
    firstSeen: T,
    lastChange: T,
    flaps: 0,
    ...overrides,
  });
  const observedTable = (observed: TObservedRouteRow[], sessions: TRouteSession[] = []) =>
    buildRouteTable({
      nodes: [
        node(1, [{ cidr: "10.201.1.0/24", isAnycast: false, createdAt: T }]),
        node(2),
        node(3),
      ],
      sessions,
      lastChanges: new Map(),
      flaps: new Map(),
      now: NOW,
      observed,
      reportingNodeIds: new Set(["id1", "id2", "id3"]),
    });

  it("counts received and installed from what the other nodes reported", () => {
    const rows = observedTable([
      seen(2, "received", "10.201.1.0/24", [1]),
      seen(2, "installed", "10.201.1.0/24", [1]),
      seen(3, "received", "10.201.1.0/24", [1, 2]),
      seen(3, "installed", "10.201.1.0/24", [1]),
    ]);
    expect(rows.find((r) => r.cidr === "10.201.1.0/24")).toMatchObject({
      state: "installed",
      receivedBy: 2,
      installedOn: 2,
      peerCount: 2,
      isObserved: true,
      warnings: [],
    });
  });

  it("tells filtered (session up, no route) from missing, and received from installed", () => {
    const rows = observedTable(
      [
        seen(2, "received", "10.201.1.0/24", [1]),
        // n3 had it once: withdrawn since.
        seen(3, "received", "10.201.1.0/24", [1], { isPresent: false }),
      ],
      [up(3, 1), up(2, 1)],
    );
    const row = rows.find((r) => r.cidr === "10.201.1.0/24")!;
    expect(row).toMatchObject({ state: "received", receivedBy: 1, installedOn: 0 });
    expect(row.warnings).toEqual([
      "filtered or not sent: n3 has a session with the origin but not the route",
      "received but not installed on n2",
    ]);
  });

  it("lists a prefix nobody attached, from its receivers, and counts flaps of a route", () => {
    const rows = observedTable([
      seen(1, "received", "192.0.2.0/24", [2]),
      seen(3, "received", "192.0.2.0/24", [2], { flaps: 5 }),
      seen(3, "installed", "192.0.2.0/24", [2]),
    ]);
    const row = rows.find((r) => r.cidr === "192.0.2.0/24")!;
    expect(row).toMatchObject({ source: "observed", receivedBy: 2, installedOn: 1, flaps: 5 });
    expect(row.origins).toEqual([{ nodeId: "id2", name: "n2" }]);
    expect(row.warnings).toContain("not attached by an admin: learned over BGP from n2");
    expect(row.warnings).toContain("flapping: withdrawn and back 5 times");
    expect(row.warnings).toContain("received but not installed on n1");
  });
});

describe("buildRouteTable: the policy that matched", () => {
  const RANGE = { prefix: "10.60.0.0/16", maxLength: 24, anycast: false };
  const found = (
    nodeId: number,
    prefix: string,
    overrides: Partial<TCandidateRow> = {},
  ): TCandidateRow => ({
    nodeId: `id${nodeId}`,
    prefix,
    source: "connected",
    verdict: "announced",
    refusal: null,
    detail: null,
    range: RANGE,
    firstSeen: T,
    lastChange: T,
    ...overrides,
  });
  const candidateTable = (candidates: TCandidateRow[]) =>
    buildRouteTable({
      nodes: [node(1, [{ cidr: "10.201.1.0/24", isAnycast: true, createdAt: T }]), node(2)],
      sessions: [],
      lastChanges: new Map(),
      flaps: new Map(),
      now: NOW,
      candidates,
    });

  it("names the allowed range that admitted a discovered prefix, per announcing node", () => {
    const rows = candidateTable([
      found(2, "10.60.1.0/24"),
      found(1, "10.60.1.0/24", {
        source: "kernel",
        range: { prefix: "10.60.0.0/20", maxLength: 28, anycast: true },
      }),
    ]);
    const row = rows.find((r) => r.cidr === "10.60.1.0/24")!;
    expect(row).toMatchObject({ source: "discovered", state: "announced", isAnycast: true });
    expect(row.origins.map((o) => o.name)).toEqual(["n2", "n1"]);
    expect(row.policy).toEqual([
      {
        nodeId: "id2",
        name: "n2",
        verdict: "announced",
        rule: "connected: allowed range 10.60.0.0/16 up to /24",
      },
      {
        nodeId: "id1",
        name: "n1",
        verdict: "announced",
        rule: "kernel: allowed range 10.60.0.0/20 up to /28 · anycast",
      },
    ]);
  });

  it("lists a refused prefix with the rule that refused it, and nothing about missing peers", () => {
    const rows = candidateTable([
      found(1, "198.51.100.10/32", {
        verdict: "refused",
        refusal: "outside-allowed-ranges",
        detail: "in no allowed range of this node",
        range: null,
      }),
    ]);
    const row = rows.find((r) => r.cidr === "198.51.100.10/32")!;
    expect(row).toMatchObject({ source: "discovered", state: "refused", warnings: [] });
    expect(row.policy).toEqual([
      {
        nodeId: "id1",
        name: "n1",
        verdict: "refused",
        rule: "connected: refused, outside allowed ranges (in no allowed range of this node)",
      },
    ]);
  });

  it("explains addresses and attached prefixes, and adds a node's own verdict on them", () => {
    const rows = candidateTable([
      found(2, "10.201.1.0/24", {
        verdict: "refused",
        refusal: "withheld",
        detail: "held back by the controller until an admin resolves a conflict",
        range: null,
      }),
    ]);
    expect(rows.find((r) => r.cidr === "10.128.0.2/32")?.policy).toEqual([
      { nodeId: "id2", name: "n2", verdict: "announced", rule: "node address: always announced" },
    ]);
    const attached = rows.find((r) => r.cidr === "10.201.1.0/24")!;
    expect(attached.state).toBe("announced");
    expect(attached.policy.map((p) => `${p.name} ${p.verdict}: ${p.rule}`)).toEqual([
      "n1 announced: attached by an admin · anycast",
      "n2 refused: connected: refused, withheld (held back by the controller until an admin resolves a conflict)",
    ]);
  });

  it("a discovered prefix whose node has not applied its config yet is discovered, not announced", () => {
    const rows = buildRouteTable({
      nodes: [node(1, [], { isInSync: false }), node(2)],
      sessions: [],
      lastChanges: new Map(),
      flaps: new Map(),
      now: NOW,
      candidates: [found(1, "10.60.3.0/24")],
    });
    expect(rows.find((r) => r.cidr === "10.60.3.0/24")?.state).toBe("discovered");
  });

  it("says when an announcing node's policy admits the prefix no more", () => {
    const rows = candidateTable([found(2, "10.60.9.0/24", { range: null })]);
    expect(rows.find((r) => r.cidr === "10.60.9.0/24")?.policy[0]?.rule).toBe(
      "connected: announced, but no allowed range admits it now (the node's next report re-judges it)",
    );
  });
});
