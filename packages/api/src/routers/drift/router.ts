import { createTRPCRouter } from "../../trpc";
import { readDriftProcedure } from "./read-drift";
import { requestReapplyProcedure } from "./request-reapply";

/** Drift between a node's desired config and its host, and the re-apply action. */
export const driftRouter = createTRPCRouter({
  get: readDriftProcedure,
  reapply: requestReapplyProcedure,
});
