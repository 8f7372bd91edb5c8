import { updateNodeRouting } from "../../services/routing/update-node-routing";
import { ZNodeRoutingView } from "../../services/routing/routing-schemas";
import { adminProcedure } from "../../trpc";
import { ZUpdateRoutingInput } from "./schemas";

/** Replace a node's routing policy (switch, cap, exit node, allowed ranges, own sources). */
export const updateRoutingProcedure = adminProcedure
  .input(ZUpdateRoutingInput)
  .output(ZNodeRoutingView)
  .mutation(({ ctx, input }) => {
    const { nodeId, ...policy } = input;
    return updateNodeRouting({ db: ctx.db, actor: ctx.actor, nodeId, policy });
  });
