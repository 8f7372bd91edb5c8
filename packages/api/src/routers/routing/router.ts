import { createTRPCRouter } from "../../trpc";
import { getDefaultSourcesProcedure, setDefaultSourcesProcedure } from "./default-sources";
import { getRoutingProcedure } from "./get-routing";
import { listCandidatesProcedure } from "./list-candidates";
import { listConflictsProcedure } from "./list-conflicts";
import { listOverlapsProcedure } from "./list-overlaps";
import { resolveConflictProcedure } from "./resolve-conflict";
import { updateRoutingProcedure } from "./update-routing";

/** Route sources and policy (issue #14): per-node policy, candidates, conflicts, mesh defaults. */
export const routingRouter = createTRPCRouter({
  get: getRoutingProcedure,
  update: updateRoutingProcedure,
  candidates: listCandidatesProcedure,
  conflicts: listConflictsProcedure,
  overlaps: listOverlapsProcedure,
  resolveConflict: resolveConflictProcedure,
  defaultSources: getDefaultSourcesProcedure,
  setDefaultSources: setDefaultSourcesProcedure,
});
