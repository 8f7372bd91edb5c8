import {
  buildReachabilityMatrix,
  describeNoPathReason,
  viewUnderlay,
  type TIpFamily,
  type TPairReach,
} from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";
import { readCompiledMesh } from "../mesh/read-node-config";
import type { TPairReachView, TReachabilityView } from "./underlay-schemas";

function toPairView(a: string, b: string, reach: TPairReach): TPairReachView {
  if (reach.kind === "direct") {
    return {
      a,
      b,
      kind: "direct",
      family: reach.family,
      reason: null,
      reasonText: null,
      relays: [],
    };
  }
  const reasonText =
    reach.reason === "measured-dead"
      ? `no direct path measured: ${reach.detail ?? "no handshake"}`
      : reach.reason === "hub-and-spoke"
        ? "two spokes of a hub-and-spoke mesh: traffic goes through a hub"
        : describeNoPathReason(reach.reason);
  return {
    a,
    b,
    kind: reach.kind,
    family: null,
    reason: reach.reason,
    reasonText,
    relays: reach.kind === "via" ? reach.relays : [],
  };
}

/**
 * The reachability matrix of the current mesh version (the compile the agents get), optionally
 * only the pairs of `nodeId`: direct IPv6 / direct IPv4 / via which node(s) / unreachable.
 */
export async function readReachability({
  db,
  fanout,
  nodeId,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
  nodeId?: string;
}): Promise<TReachabilityView> {
  const [mesh, rows, failures] = await Promise.all([
    readCompiledMesh({ db, fanout }),
    db.node.findMany({ select: { id: true, underlayMode: true } }),
    db.directPathFailure.findMany({
      where: nodeId ? { OR: [{ nodeAId: nodeId }, { nodeBId: nodeId }] } : {},
      select: { nodeAId: true, nodeBId: true, reason: true, failedAt: true, retryAt: true },
      orderBy: { failedAt: "asc" },
    }),
  ]);
  const modes = new Map(rows.map((row) => [row.id, row.underlayMode]));
  const matrix = buildReachabilityMatrix({
    nodes: mesh.peers,
    skippedPairs: mesh.skippedPairs,
    hubIds: mesh.hubIds,
  });
  const hubs = new Set(mesh.hubIds);
  return {
    nodes: mesh.peers.map((peer) => {
      const view = viewUnderlay({ endpoints: peer.endpoints, isBehindNat: false });
      const families = (["ipv6", "ipv4"] as const).filter((f: TIpFamily) => view.byFamily[f]);
      return {
        id: peer.id,
        name: peer.name,
        index: peer.index,
        endpoints: peer.endpoints,
        families,
        underlayMode: modes.get(peer.id) ?? "auto",
        isBehindNat: peer.isBehindNat ?? false,
        canTransit: peer.canTransit ?? true,
        isHub: hubs.has(peer.id),
      };
    }),
    pairs: matrix
      .filter((pair) => !nodeId || pair.a === nodeId || pair.b === nodeId)
      .map((pair) => toPairView(pair.a, pair.b, pair.reach)),
    failures: failures.map((f) => ({
      a: f.nodeAId,
      b: f.nodeBId,
      reason: f.reason,
      failedAt: f.failedAt,
      retryAt: f.retryAt,
    })),
  };
}
