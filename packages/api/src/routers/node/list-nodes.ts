import { z } from "zod";
import { listNodes } from "../../services/node/list-nodes";
import { protectedProcedure } from "../../trpc";
import { ZNodeSummary } from "../../services/node/node-schemas";

/** Every node, by index (stale ones flagged offline, never hidden). */
export const listNodesProcedure = protectedProcedure
  .input(z.void())
  .output(z.array(ZNodeSummary))
  .query(({ ctx }) => listNodes({ db: ctx.db }));
