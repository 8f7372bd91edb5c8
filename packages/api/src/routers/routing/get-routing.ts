import { readNodeRouting } from "../../services/routing/read-node-routing";
import { ZNodeRoutingView } from "../../services/routing/routing-schemas";
import { protectedProcedure } from "../../trpc";
import { ZNodeIdInput } from "../node/schemas";

/** A node's routing policy and the sources in effect. */
export const getRoutingProcedure = protectedProcedure
  .input(ZNodeIdInput)
  .output(ZNodeRoutingView)
  .query(({ ctx, input }) => readNodeRouting({ db: ctx.db, nodeId: input.nodeId }));
