import { z } from "zod";
import { ZRouteSources } from "@meshover/netcfg";
import { readRoutingContext } from "../../services/routing/read-routing-context";
import { setDefaultRouteSources } from "../../services/routing/set-default-sources";
import { adminProcedure, protectedProcedure } from "../../trpc";
import { ZRouteSourcesInput } from "./schemas";

/** The mesh-default route sources (nodes without their own use them). */
export const getDefaultSourcesProcedure = protectedProcedure
  .input(z.void())
  .output(ZRouteSources)
  .query(async ({ ctx }) => (await readRoutingContext(ctx.db)).defaultSources);

/** Set the mesh-default route sources. */
export const setDefaultSourcesProcedure = adminProcedure
  .input(ZRouteSourcesInput)
  .output(ZRouteSources)
  .mutation(({ ctx, input }) =>
    setDefaultRouteSources({ db: ctx.db, actor: ctx.actor, sources: input }),
  );
