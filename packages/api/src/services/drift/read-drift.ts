import { ZHostInfo, ZObservedMesh } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";
import { ServiceError } from "../../lib/service-error";
import { readNodeConfig } from "../mesh/read-node-config";
import { compareObservedMesh, type TMeshDifferences } from "./compare-observed-mesh";

/** One attached prefix and how many peers report receiving it from this node. */
export interface TPrefixReach {
  cidr: string;
  /** Peers whose FRR received it with this node on the path's first hop. */
  announcedTo: number;
  peerCount: number;
}

/** A node's drift: versions, observed differences, the re-apply request, prefix reach. */
export interface TNodeDrift {
  desiredVersion: number;
  appliedVersion: number | null;
  applyError: string | null;
  /** When the observation below was reported (the node's last report). */
  observedAt: Date | null;
  /** Null when the agent does not report what its host has. */
  differences: TMeshDifferences | null;
  reapply: { requestedAt: Date | null; doneAt: Date | null; isPending: boolean };
  prefixes: TPrefixReach[];
}

/** Read the drift of `nodeId` against its newest compiled config. */
export async function readDrift({
  db,
  fanout,
  nodeId,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
  nodeId: string;
}): Promise<TNodeDrift> {
  const [node, config, peers, received] = await Promise.all([
    db.node.findUnique({
      where: { id: nodeId },
      select: {
        desiredConfigVersion: true,
        appliedConfigVersion: true,
        applyError: true,
        lastSeenAt: true,
        hostInfo: true,
        observedMesh: true,
        reapplyId: true,
        reapplyRequestedAt: true,
        reappliedId: true,
        reappliedAt: true,
        prefixes: { select: { cidr: true }, orderBy: { cidr: "asc" } },
      },
    }),
    readNodeConfig({ db, fanout, nodeId }),
    db.node.count({ where: { id: { not: nodeId } } }),
    db.observedRoute.findMany({
      where: { kind: "received", isPresent: true, via: { has: nodeId }, nodeId: { not: nodeId } },
      select: { prefix: true, nodeId: true },
    }),
  ]);
  if (!node || !config) throw new ServiceError("NOT_FOUND", "no such node");
  const observed = ZObservedMesh.safeParse(node.observedMesh);
  const hostInfo = ZHostInfo.safeParse(node.hostInfo);
  const hasFrr = hostInfo.success ? hostInfo.data.frrMode !== "none" : true;
  return {
    desiredVersion: config.version,
    appliedVersion: node.appliedConfigVersion === null ? null : Number(node.appliedConfigVersion),
    applyError: node.applyError,
    observedAt: node.lastSeenAt,
    differences: observed.success ? compareObservedMesh(config, observed.data, { hasFrr }) : null,
    reapply: {
      requestedAt: node.reapplyRequestedAt,
      doneAt:
        node.reapplyId !== null && node.reappliedId === node.reapplyId ? node.reappliedAt : null,
      isPending: node.reapplyId !== null && node.reappliedId !== node.reapplyId,
    },
    prefixes: node.prefixes.map(({ cidr }) => ({
      cidr,
      announcedTo: new Set(received.filter((r) => r.prefix === cidr).map((r) => r.nodeId)).size,
      peerCount: peers,
    })),
  };
}
