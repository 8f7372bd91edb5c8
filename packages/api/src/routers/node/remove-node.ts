import { z } from "zod";
import { removeNode } from "../../services/node/remove-node";
import { adminProcedure } from "../../trpc";
import { ZNodeIdInput } from "./schemas";

/** Remove a node from the mesh (every peer tears its tunnel down). */
export const removeNodeProcedure = adminProcedure
  .input(ZNodeIdInput)
  .output(z.object({ id: z.uuid(), name: z.string() }))
  .mutation(({ ctx, input }) => removeNode({ db: ctx.db, actor: ctx.actor, nodeId: input.nodeId }));
