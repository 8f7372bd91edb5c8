import { validateRouteSources, type TRouteSources } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import { readRoutingContext } from "./read-routing-context";
import { throwRoutingIssue } from "./update-node-routing";

/**
 * Set the mesh-default route sources (every node without its own uses them). Validated like a
 * node's own; a mesh change, since those nodes' configs carry them. Audited.
 */
export async function setDefaultRouteSources({
  db,
  actor,
  sources,
}: {
  db: TPrismaClient;
  actor: TActor;
  sources: TRouteSources;
}): Promise<TRouteSources> {
  return commitMeshChange(db, async (tx) => {
    const context = await readRoutingContext(tx);
    throwRoutingIssue(
      validateRouteSources(sources, {
        pools: context.pools,
        underlay: context.underlay,
        nodeAsn: null,
      }),
    );
    await tx.setting.update({
      where: { id: 1 },
      data: { routeSources: sources },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      actor,
      action: "settings.set_route_sources",
      targetType: "settings",
      targetId: "1",
      change: { from: context.defaultSources, to: sources },
    });
    return sources;
  });
}
