import { createTRPCRouter } from "../../trpc";
import { getTopologyProcedure } from "./get-topology";
import { watchTopologyProcedure } from "./watch-topology";

/** The mesh graph, read once or live. */
export const topologyRouter = createTRPCRouter({
  get: getTopologyProcedure,
  watch: watchTopologyProcedure,
});
