import { z } from "zod";
import { watchTopology } from "../../services/topology/watch-topology";
import { protectedProcedure } from "../../trpc";

/**
 * The topology live (SSE): the full graph, then a patch per batch of health reports and the
 * full graph after mesh changes. Replaces polling `topology.get`.
 */
export const watchTopologyProcedure = protectedProcedure
  .input(z.void())
  .subscription(({ ctx, signal }) =>
    watchTopology({
      db: ctx.db,
      fanout: ctx.fanout,
      signal: signal ?? new AbortController().signal,
    }),
  );
