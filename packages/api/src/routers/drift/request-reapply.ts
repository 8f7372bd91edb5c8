import { z } from "zod";
import { requestReapply } from "../../services/drift/request-reapply";
import { adminProcedure } from "../../trpc";

/** Ask the node's agent to re-apply its config from a fresh look at its host. */
export const requestReapplyProcedure = adminProcedure
  .input(z.object({ nodeId: z.uuid() }).strict())
  .output(z.object({ reapplyId: z.uuid() }))
  .mutation(({ ctx, input }) =>
    requestReapply({ db: ctx.db, actor: ctx.actor, nodeId: input.nodeId }),
  );
