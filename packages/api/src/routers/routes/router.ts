import { createTRPCRouter } from "../../trpc";
import { listRoutesProcedure } from "./list-routes";

/** The fleet route table. */
export const routesRouter = createTRPCRouter({
  list: listRoutesProcedure,
});
