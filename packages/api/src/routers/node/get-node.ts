import { getNode } from "../../services/node/list-nodes";
import { protectedProcedure } from "../../trpc";
import { ZNodeDetail, ZNodeIdInput } from "./schemas";

/** One node with host facts and credential metadata. */
export const getNodeProcedure = protectedProcedure
  .input(ZNodeIdInput)
  .output(ZNodeDetail)
  .query(({ ctx, input }) => getNode({ db: ctx.db, nodeId: input.nodeId }));
