import { z } from "zod";
import { listRouteOverlaps } from "../../services/routing/list-route-overlaps";
import { ZRouteOverlapView } from "../../services/routing/routing-schemas";
import { protectedProcedure } from "../../trpc";

/** Nested prefixes announced by different nodes (warnings), mesh-wide or of one node. */
export const listOverlapsProcedure = protectedProcedure
  .input(z.object({ nodeId: z.uuid().optional() }).strict())
  .output(z.array(ZRouteOverlapView))
  .query(({ ctx, input }) => listRouteOverlaps({ db: ctx.db, nodeId: input.nodeId }));
