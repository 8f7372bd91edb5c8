import { createTRPCRouter } from "../../trpc";
import { readPeerHistoryProcedure } from "./read-peer-history";

/** Health history for the dashboard's charts. */
export const historyRouter = createTRPCRouter({
  readPeerHistory: readPeerHistoryProcedure,
});
