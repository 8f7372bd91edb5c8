import { createTRPCRouter } from "../../trpc";
import { getTopologyProcedure } from "./get-topology";

/** The mesh graph. */
export const topologyRouter = createTRPCRouter({
  get: getTopologyProcedure,
});
