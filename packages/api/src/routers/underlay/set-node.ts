import { z } from "zod";
import { UNDERLAY_MODES } from "@meshover/netcfg";
import { setNodeUnderlay } from "../../services/underlay/set-node-underlay";
import { adminProcedure } from "../../trpc";

/** `underlay.setNode` input. */
export const ZSetNodeUnderlayInput = z
  .object({
    nodeId: z.uuid(),
    /** auto: behind NAT when no reported address is public; behind_nat; public. */
    underlayMode: z.enum(UNDERLAY_MODES),
    /** False: the node announces only its own routes. */
    canTransit: z.boolean(),
    /** A hub of a hub-and-spoke mesh (spokes peer only with hubs); unchanged when omitted. */
    isHub: z.boolean().optional(),
  })
  .strict();

/** Set a node's underlay mode and transit flag. */
export const setNodeProcedure = adminProcedure
  .input(ZSetNodeUnderlayInput)
  .output(
    z.object({
      id: z.uuid(),
      underlayMode: z.enum(UNDERLAY_MODES),
      canTransit: z.boolean(),
      isHub: z.boolean(),
    }),
  )
  .mutation(({ ctx, input }) => setNodeUnderlay({ db: ctx.db, actor: ctx.actor, ...input }));
