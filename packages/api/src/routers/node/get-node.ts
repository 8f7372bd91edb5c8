import { getNode } from "../../services/node/get-node";
import { ZNodeDetail } from "../../services/node/node-schemas";
import { protectedProcedure } from "../../trpc";
import { ZNodeIdInput } from "./schemas";

/** One node with host facts and credential metadata. */
export const getNodeProcedure = protectedProcedure
  .input(ZNodeIdInput)
  .output(ZNodeDetail)
  .query(({ ctx, input }) => getNode({ db: ctx.db, nodeId: input.nodeId }));
