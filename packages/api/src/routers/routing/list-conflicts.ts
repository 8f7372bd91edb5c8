import { z } from "zod";
import { listRouteConflicts } from "../../services/routing/list-route-conflicts";
import { ZRouteConflictView } from "../../services/routing/routing-schemas";
import { protectedProcedure } from "../../trpc";

/** Route conflicts of the mesh, or of one node. */
export const listConflictsProcedure = protectedProcedure
  .input(z.object({ nodeId: z.uuid().optional() }).strict())
  .output(z.array(ZRouteConflictView))
  .query(({ ctx, input }) => listRouteConflicts({ db: ctx.db, nodeId: input.nodeId }));
