import { z } from "zod";
import { zText } from "@meshover/netcfg";
import { setPrefixes } from "../../services/node/set-prefixes";
import { adminProcedure } from "../../trpc";
import { ZPrefixView } from "../../services/node/node-schemas";

/** `node.setPrefixes` input: the node's complete list (replaces the old one). */
export const ZSetPrefixesInput = z
  .object({
    nodeId: z.uuid(),
    prefixes: z
      .array(
        z
          .object({
            cidr: zText().trim().min(3).max(43),
            isAnycast: z.boolean().default(false),
            description: zText().trim().max(200).nullable().default(null),
          })
          .strict(),
      )
      .max(256),
    /** Allow 0.0.0.0/0 or ::/0 (an exit node); refused otherwise. */
    isDefaultRouteAllowed: z.boolean().default(false),
  })
  .strict();

/** Set the prefixes (VM/pod/LAN subnets) a node advertises over BGP. */
export const setPrefixesProcedure = adminProcedure
  .input(ZSetPrefixesInput)
  .output(z.array(ZPrefixView))
  .mutation(({ ctx, input }) =>
    setPrefixes({
      db: ctx.db,
      actor: ctx.actor,
      nodeId: input.nodeId,
      prefixes: input.prefixes,
      isDefaultRouteAllowed: input.isDefaultRouteAllowed,
    }),
  );
