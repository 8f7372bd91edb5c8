import { createTRPCRouter } from "../../trpc";
import { getNodeProcedure } from "./get-node";
import { listNodesProcedure } from "./list-nodes";
import { removeNodeProcedure } from "./remove-node";
import { renameNodeProcedure } from "./rename-node";
import { setPrefixesProcedure } from "./set-prefixes";
import { watchNodeProcedure } from "./watch-node";

/** Nodes: list, details, rename, remove, advertised prefixes. */
export const nodeRouter = createTRPCRouter({
  list: listNodesProcedure,
  get: getNodeProcedure,
  watch: watchNodeProcedure,
  rename: renameNodeProcedure,
  remove: removeNodeProcedure,
  setPrefixes: setPrefixesProcedure,
});
