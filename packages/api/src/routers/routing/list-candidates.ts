import { z } from "zod";
import { listRouteCandidates } from "../../services/routing/list-route-candidates";
import { ZRouteCandidateView } from "../../services/routing/routing-schemas";
import { protectedProcedure } from "../../trpc";
import { ZNodeIdInput } from "../node/schemas";

/** The route candidates a node's agent discovered, with verdicts and conflicts. */
export const listCandidatesProcedure = protectedProcedure
  .input(ZNodeIdInput)
  .output(z.array(ZRouteCandidateView))
  .query(({ ctx, input }) => listRouteCandidates({ db: ctx.db, nodeId: input.nodeId }));
