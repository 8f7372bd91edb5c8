import { z } from "zod";
import { readReachability } from "../../services/underlay/read-reachability";
import { ZReachabilityView } from "../../services/underlay/underlay-schemas";
import { protectedProcedure } from "../../trpc";

/** `underlay.matrix` input: the whole mesh, or only the pairs of one node. */
export const ZMatrixInput = z.object({ nodeId: z.uuid().optional() }).strict().default({});

/** The reachability matrix: how every pair reaches each other (issue #17). */
export const matrixProcedure = protectedProcedure
  .input(ZMatrixInput)
  .output(ZReachabilityView)
  .query(({ ctx, input }) =>
    readReachability({ db: ctx.db, fanout: ctx.fanout, nodeId: input.nodeId }),
  );
