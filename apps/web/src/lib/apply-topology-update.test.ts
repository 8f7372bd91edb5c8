import { describe, expect, it } from "vitest";
import type { TEdgeDirection, TTopology } from "@meshover/api";
import { ZPeerMetrics } from "@meshover/netcfg";
import { applyTopologyUpdate } from "./apply-topology-update";

const at = new Date("2026-01-01T12:00:00Z");
const direction = (bgpState: string): TEdgeDirection => ({
  ...ZPeerMetrics.parse({}),
  at,
  handshakeAt: at,
  rxBytes: 1,
  txBytes: 2,
  bgpState,
  bgpUptimeSec: 10,
  bfdState: "up",
  prefixesReceived: 1,
  mtuConfigured: 1420,
  mtuMeasured: 1420,
  rttMs: 1,
});
const node = (id: string, name: string) =>
  ({ id, name, lastSeenAt: at }) as unknown as TTopology["nodes"][number];

const base: TTopology = {
  nodes: [node("a", "n1"), node("b", "n2"), node("c", "n3")],
  edges: [
    { id: "a:b", source: "a", target: "b", sourceToTarget: null, targetToSource: null },
    { id: "a:c", source: "a", target: "c", sourceToTarget: null, targetToSource: null },
    { id: "b:c", source: "b", target: "c", sourceToTarget: null, targetToSource: null },
  ],
  meshVersion: 3,
  staleAfterSec: 60,
};

describe("applyTopologyUpdate", () => {
  it("replaces everything on a full event", () => {
    const next = { ...base, meshVersion: 4 };
    expect(applyTopologyUpdate(base, { kind: "full", serverTime: at, topology: next })).toBe(next);
  });

  it("ignores a report patch before the first full event", () => {
    const patch = { kind: "reports" as const, serverTime: at, nodes: [], directions: [] };
    expect(applyTopologyUpdate(undefined, patch)).toBeUndefined();
  });

  it("puts a reporter's directions on the right side of each edge and keeps the rest as is", () => {
    const renamed = node("b", "n2-new");
    const next = applyTopologyUpdate(base, {
      kind: "reports",
      serverTime: at,
      nodes: [renamed],
      directions: [
        { nodeId: "b", peerId: "a", direction: direction("Established") },
        { nodeId: "b", peerId: "c", direction: direction("Active") },
      ],
    })!;
    expect(next.nodes[1]).toBe(renamed);
    expect(next.nodes[0]).toBe(base.nodes[0]);
    // a:b: b is the target, so b's view is targetToSource.
    expect(next.edges[0]!.targetToSource?.bgpState).toBe("Established");
    expect(next.edges[0]!.sourceToTarget).toBeNull();
    // b:c: b is the source.
    expect(next.edges[2]!.sourceToTarget?.bgpState).toBe("Active");
    // a:c untouched: the same object, so the graph does not redraw it.
    expect(next.edges[1]).toBe(base.edges[1]);
  });
});
