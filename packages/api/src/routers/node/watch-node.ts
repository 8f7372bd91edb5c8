import { watchNode } from "../../services/node/watch-node";
import { protectedProcedure } from "../../trpc";
import { ZNodeIdInput } from "./schemas";

/** One node and its tunnels (both directions) live (SSE): on every report and mesh change. */
export const watchNodeProcedure = protectedProcedure
  .input(ZNodeIdInput)
  .subscription(({ ctx, input, signal }) =>
    watchNode({
      db: ctx.db,
      fanout: ctx.fanout,
      nodeId: input.nodeId,
      signal: signal ?? new AbortController().signal,
    }),
  );
