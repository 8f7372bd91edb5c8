import { createTRPCRouter } from "../../trpc";
import { matrixProcedure } from "./matrix";
import { setNodeProcedure } from "./set-node";

/** Underlay: the reachability matrix, per-node NAT mode and transit (issue #17). */
export const underlayRouter = createTRPCRouter({
  matrix: matrixProcedure,
  setNode: setNodeProcedure,
});
