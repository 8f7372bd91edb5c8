import { createRoutePrefixJudge } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { readNodePolicies, readRoutingContext } from "../routing/read-routing-context";
import { listNodes } from "../node/list-nodes";
import { readLatestSamples } from "../topology/read-latest-samples";
import { buildRouteTable, type TRouteRow } from "./build-route-table";

/** Flaps are counted over this period. */
const FLAP_PERIOD_MS = 24 * 3600 * 1000;

/** The fleet route table (see build-route-table.ts for what each column means). */
export async function listRoutes({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<TRouteRow[]> {
  const since = new Date(now.getTime() - FLAP_PERIOD_MS);
  const [nodes, prefixes, samples, changes, drops, observed, reporting, found, context] =
    await Promise.all([
      listNodes({ db, now }),
      db.advertisedPrefix.findMany({
        select: { nodeId: true, cidr: true, isAnycast: true, createdAt: true },
      }),
      readLatestSamples({ db }),
      db.auditEvent.groupBy({
        by: ["targetId"],
        where: { action: "node.set_prefixes" },
        _max: { at: true },
      }),
      db.meshEvent.groupBy({
        by: ["peerId"],
        where: { kind: "bgp_down", at: { gte: since } },
        _count: { _all: true },
      }),
      db.observedRoute.findMany({
        select: {
          nodeId: true,
          kind: true,
          prefix: true,
          via: true,
          isPresent: true,
          firstSeen: true,
          lastChange: true,
          flaps: true,
        },
      }),
      db.node.findMany({ where: { routesSeq: { not: null } }, select: { id: true } }),
      db.discoveredRoute.findMany({
        where: { goneAt: null },
        select: {
          nodeId: true,
          prefix: true,
          source: true,
          verdict: true,
          refusal: true,
          detail: true,
          firstSeenAt: true,
          lastChangeAt: true,
        },
      }),
      readRoutingContext(db),
    ]);
  // The range that admits each announced candidate, judged as the agents judge (policy now).
  const policies = await readNodePolicies(
    db,
    nodes.map((node) => node.id),
  );
  const judge = createRoutePrefixJudge({ pools: context.pools, underlay: context.underlay });
  return buildRouteTable({
    nodes: nodes.map((node) => ({
      id: node.id,
      name: node.name,
      ipv4: node.ipv4,
      ipv6: node.ipv6,
      createdAt: node.createdAt,
      isOnline: node.isOnline,
      isInSync: node.appliedConfigVersion === node.desiredConfigVersion,
      isExitNode: policies.get(node.id)?.exitNode ?? false,
      prefixes: prefixes.filter((p) => p.nodeId === node.id),
    })),
    sessions: samples,
    lastChanges: new Map(
      changes.filter((c) => c.targetId && c._max.at).map((c) => [c.targetId!, c._max.at!] as const),
    ),
    // A drop of a session with the origin, as the peers saw it.
    flaps: new Map(drops.filter((d) => d.peerId).map((d) => [d.peerId!, d._count._all] as const)),
    now,
    observed: observed.map((route) => ({
      ...route,
      kind: route.kind === "installed" ? ("installed" as const) : ("received" as const),
    })),
    reportingNodeIds: new Set(reporting.map((node) => node.id)),
    candidates: found.map((candidate) => {
      const policy = policies.get(candidate.nodeId);
      const verdict =
        candidate.verdict === "announced" && policy ? judge(candidate.prefix, policy) : null;
      return {
        nodeId: candidate.nodeId,
        prefix: candidate.prefix,
        source: candidate.source,
        verdict: candidate.verdict === "announced" ? ("announced" as const) : ("refused" as const),
        refusal: candidate.refusal,
        detail: candidate.detail,
        range: verdict && verdict.refusal === null ? verdict.range : null,
        firstSeen: candidate.firstSeenAt,
        lastChange: candidate.lastChangeAt,
      };
    }),
  });
}
