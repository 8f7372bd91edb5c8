import {
  DEFAULT_ROUTE_SOURCES,
  ZRouteSources,
  type TAllowedRange,
  type TRouteSources,
} from "@meshover/netcfg";
import type { Prisma } from "@meshover/prisma";

/** What routing validation and conflict detection need about the mesh. */
export interface TRoutingContext {
  pools: { ipv4Pool: string; ipv6Pool: string };
  /** Every node's underlay endpoints: routing them into the mesh would loop. */
  underlay: string[];
  defaultSources: TRouteSources;
}

/** Stored sources (JSON) as the contract type; null or unreadable JSON gives `fallback`. */
export function readStoredSources<T extends TRouteSources | null>(
  value: Prisma.JsonValue | null | undefined,
  fallback: T,
): TRouteSources | T {
  if (value === null || value === undefined) return fallback;
  const parsed = ZRouteSources.safeParse(value);
  return parsed.success ? parsed.data : fallback;
}

/** The mesh pools, every node's endpoints and the mesh-default sources. */
export async function readRoutingContext(tx: Prisma.TransactionClient): Promise<TRoutingContext> {
  const [settings, nodes] = await Promise.all([
    tx.setting.findUniqueOrThrow({
      where: { id: 1 },
      select: { ipv4Pool: true, ipv6Pool: true, routeSources: true },
    }),
    tx.node.findMany({ select: { endpoints: true } }),
  ]);
  return {
    pools: { ipv4Pool: settings.ipv4Pool, ipv6Pool: settings.ipv6Pool },
    underlay: [...new Set(nodes.flatMap((node) => node.endpoints))].sort(),
    defaultSources: readStoredSources(settings.routeSources, DEFAULT_ROUTE_SOURCES),
  };
}

/** The routing policy of some nodes (absent nodes have none: the defaults apply). */
export async function readNodePolicies(
  tx: Prisma.TransactionClient,
  nodeIds: readonly string[],
): Promise<
  Map<string, { mayOriginate: boolean; exitNode: boolean; allowedRanges: TAllowedRange[] }>
> {
  const [routings, ranges] = await Promise.all([
    tx.nodeRouting.findMany({
      where: { nodeId: { in: [...nodeIds] } },
      select: { nodeId: true, mayOriginate: true, exitNode: true },
    }),
    tx.routeAllowedRange.findMany({
      where: { nodeId: { in: [...nodeIds] } },
      select: { nodeId: true, prefix: true, maxLength: true, anycast: true },
      orderBy: { prefix: "asc" },
    }),
  ]);
  const policies = new Map(
    routings.map((row) => [
      row.nodeId,
      {
        mayOriginate: row.mayOriginate,
        exitNode: row.exitNode,
        allowedRanges: [] as TAllowedRange[],
      },
    ]),
  );
  for (const range of ranges) {
    policies.get(range.nodeId)?.allowedRanges.push({
      prefix: range.prefix,
      maxLength: range.maxLength,
      anycast: range.anycast,
    });
  }
  return policies;
}
