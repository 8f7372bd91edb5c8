import { z } from "zod";
import { zText } from "@meshover/netcfg";
import { resolveRouteConflict } from "../../services/routing/resolve-route-conflict";
import { adminProcedure } from "../../trpc";

/** `routing.resolveConflict` input. */
export const ZResolveConflictInput = z
  .object({
    prefix: zText().trim().min(3).max(43),
    kind: z.enum(["node", "anycast", "withhold", "reopen"]),
    /** The node that announces the prefix (kind `node`). */
    nodeId: z.uuid().nullable().default(null),
  })
  .strict();

/** Answer a route conflict: one node announces it, all do (anycast), none (renumber), or reopen. */
export const resolveConflictProcedure = adminProcedure
  .input(ZResolveConflictInput)
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await resolveRouteConflict({ db: ctx.db, actor: ctx.actor, ...input });
    return { ok: true as const };
  });
