import { normalizePrefix, validateAdvertisedPrefixes } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/** One prefix an admin attaches to a node. */
export interface TPrefixInput {
  cidr: string;
  /** Several nodes may announce it on purpose (overlap with other nodes allowed). */
  isAnycast: boolean;
  description: string | null;
}

/**
 * Replace the prefixes a node advertises. Validated by netcfg (valid CIDR, no host bits, no
 * default route unless allowed, no overlap with the mesh pools, within the list, or with
 * another node's prefix unless anycast); on any error nothing changes.
 */
export async function setPrefixes({
  db,
  actor,
  nodeId,
  prefixes,
  isDefaultRouteAllowed = false,
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  prefixes: TPrefixInput[];
  isDefaultRouteAllowed?: boolean;
}): Promise<{ cidr: string; isAnycast: boolean; description: string | null }[]> {
  return commitMeshChange(db, async (tx) => {
    const node = await tx.node.findUnique({
      where: { id: nodeId },
      select: { id: true, prefixes: { select: { cidr: true } } },
    });
    if (!node) throw new ServiceError("NOT_FOUND", "no such node");
    const settings = await tx.setting.findUniqueOrThrow({
      where: { id: 1 },
      select: { ipv4Pool: true, ipv6Pool: true },
    });
    const others = await tx.node.findMany({
      where: { id: { not: nodeId } },
      select: { name: true, prefixes: { select: { cidr: true } } },
    });
    const pools = { ipv4Pool: settings.ipv4Pool, ipv6Pool: settings.ipv6Pool };
    // The whole list: syntax, forbidden ranges, pools, overlaps within it (canonical order).
    const canonical = validateAdvertisedPrefixes({
      prefixes: prefixes.map((prefix) => prefix.cidr),
      pools,
      isAnycast: true,
      isDefaultRouteAllowed,
    });
    // The unicast ones must not overlap any other node's prefixes. A default route (allowed
    // above) covers everything by definition; longest match keeps the specific routes apart.
    validateAdvertisedPrefixes({
      prefixes: prefixes
        .filter((prefix) => !prefix.isAnycast && !prefix.cidr.trim().endsWith("/0"))
        .map((prefix) => prefix.cidr),
      pools,
      otherNodes: others.map((other) => ({
        name: other.name,
        prefixes: other.prefixes.map((prefix) => prefix.cidr),
      })),
      isDefaultRouteAllowed,
    });
    // The list was validated (no host bits), so normalising only makes the text canonical.
    const rows = prefixes
      .map((prefix) => ({
        cidr: normalizePrefix(prefix.cidr),
        isAnycast: prefix.isAnycast,
        description: prefix.description,
      }))
      .sort((a, b) => canonical.indexOf(a.cidr) - canonical.indexOf(b.cidr));
    await tx.advertisedPrefix.deleteMany({ where: { nodeId } });
    if (rows.length > 0) {
      await tx.advertisedPrefix.createMany({ data: rows.map((row) => ({ ...row, nodeId })) });
    }
    await writeAuditEvent(tx, {
      actor,
      action: "node.set_prefixes",
      targetType: "node",
      targetId: nodeId,
      change: { from: node.prefixes.map((prefix) => prefix.cidr), to: rows },
    });
    return rows;
  });
}
