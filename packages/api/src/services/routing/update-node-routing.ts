import {
  normalizePrefix,
  validateRoutingPolicy,
  type TAllowedRange,
  type TRouteSources,
  type TRoutingIssue,
} from "@meshover/netcfg";
import { Prisma, type TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import { readNodeRouting } from "./read-node-routing";
import { readRoutingContext } from "./read-routing-context";
import { refreshRouteConflicts } from "./refresh-route-conflicts";
import type { TNodeRoutingView } from "./routing-schemas";

/** A node's routing policy as an admin sets it (the whole policy: it replaces the old one). */
export interface TNodeRoutingInput {
  mayOriginate: boolean;
  exitNode: boolean;
  maxPrefixes: number;
  allowedRanges: (TAllowedRange & { description: string | null })[];
  /** The node's own sources, or null to follow the mesh default. */
  sources: TRouteSources | null;
}

/** The first validation issue as the refusal (its path lets a form mark the field). */
export function throwRoutingIssue(issues: readonly TRoutingIssue[]): void {
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new ServiceError("BAD_REQUEST", `${first.message}${more}`, first.path);
}

/**
 * Replace a node's routing policy. Validated against the mesh (pools, underlay, always denied,
 * maximum lengths, interface selectors, kernel protocols, speakers); on any error nothing
 * changes. A mesh change: the node's config carries the policy, and its candidates' conflicts
 * are recomputed (a range turned anycast may end one). Audited.
 */
export async function updateNodeRouting({
  db,
  actor,
  nodeId,
  policy,
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  policy: TNodeRoutingInput;
}): Promise<TNodeRoutingView> {
  return commitMeshChange(db, async (tx) => {
    const node = await tx.node.findUnique({ where: { id: nodeId }, select: { asn: true } });
    if (!node) throw new ServiceError("NOT_FOUND", "no such node");
    const context = await readRoutingContext(tx);
    throwRoutingIssue(
      validateRoutingPolicy(policy, {
        pools: context.pools,
        underlay: context.underlay,
        nodeAsn: Number(node.asn),
      }),
    );
    const before = await readNodeRouting({ db: tx, nodeId });
    const ranges = policy.allowedRanges.map((range) => ({
      nodeId,
      prefix: normalizePrefix(range.prefix),
      maxLength: range.maxLength,
      anycast: range.anycast,
      description: range.description,
    }));
    const data = {
      mayOriginate: policy.mayOriginate,
      exitNode: policy.exitNode,
      maxPrefixes: policy.maxPrefixes,
      sources: policy.sources ?? Prisma.DbNull,
    };
    await tx.nodeRouting.upsert({
      where: { nodeId },
      create: { nodeId, ...data },
      update: data,
      select: { nodeId: true },
    });
    await tx.routeAllowedRange.deleteMany({ where: { nodeId } });
    if (ranges.length > 0) await tx.routeAllowedRange.createMany({ data: ranges });
    await refreshNodeConflicts(tx, nodeId);
    const after = await readNodeRouting({ db: tx, nodeId });
    await writeAuditEvent(tx, {
      actor,
      action: "node.set_routing",
      targetType: "node",
      targetId: nodeId,
      change: JSON.parse(
        JSON.stringify({
          from: { ...before, effectiveSources: undefined, updatedAt: undefined },
          to: { ...after, effectiveSources: undefined, updatedAt: undefined },
        }),
      ) as Prisma.InputJsonValue,
    });
    return after;
  });
}

/** Recompute the conflicts of every prefix the node has, or had a conflict on. */
export async function refreshNodeConflicts(
  tx: Prisma.TransactionClient,
  nodeId: string,
): Promise<void> {
  const [present, involved] = await Promise.all([
    tx.discoveredRoute.findMany({
      where: { nodeId, goneAt: null },
      select: { prefix: true },
    }),
    tx.routeConflict.findMany({ where: { nodeIds: { has: nodeId } }, select: { prefix: true } }),
  ]);
  await refreshRouteConflicts(tx, {
    prefixes: [...present, ...involved].map((row) => row.prefix),
    causeNodeId: nodeId,
    now: new Date(),
  });
}
