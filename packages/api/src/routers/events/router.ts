import { createTRPCRouter } from "../../trpc";
import { listEventsProcedure } from "./list-events";

/** The mesh timeline. */
export const eventsRouter = createTRPCRouter({
  list: listEventsProcedure,
});
