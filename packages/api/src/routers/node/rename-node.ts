import { z } from "zod";
import { ZNodeName } from "@meshover/netcfg";
import { renameNode } from "../../services/node/rename-node";
import { adminProcedure } from "../../trpc";

/** `node.rename` input. */
export const ZRenameNodeInput = z.object({ nodeId: z.uuid(), name: ZNodeName }).strict();

/** Rename a node. */
export const renameNodeProcedure = adminProcedure
  .input(ZRenameNodeInput)
  .output(z.object({ id: z.uuid(), name: z.string() }))
  .mutation(({ ctx, input }) =>
    renameNode({ db: ctx.db, actor: ctx.actor, nodeId: input.nodeId, name: input.name }),
  );
