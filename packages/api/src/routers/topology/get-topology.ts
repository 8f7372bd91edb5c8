import { z } from "zod";
import { ZTopology, readTopology } from "../../services/topology/read-topology";
import { protectedProcedure } from "../../trpc";

/** The mesh as a graph, for the dashboard. */
export const getTopologyProcedure = protectedProcedure
  .input(z.void())
  .output(ZTopology)
  .query(({ ctx }) => readTopology({ db: ctx.db }));
