import { z } from "zod";
import { ZNodeName } from "@meshover/netcfg";
import { createToken } from "../../services/token/create-token";
import { adminProcedure } from "../../trpc";

/** `token.create` input. */
export const ZCreateTokenInput = z
  .object({
    /** Lifetime in seconds (1 minute .. 30 days; default 1 hour). */
    ttlSec: z
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(3600),
    /** How many nodes may enroll with it (default 1). */
    usesAllowed: z.number().int().min(1).max(1000).default(1),
    /** Preset node name (wins over the agent's host name). */
    nodeName: ZNodeName.nullish(),
  })
  .strict();

/** Create an enrollment token; the token text is in this response only. */
export const createTokenProcedure = adminProcedure
  .input(ZCreateTokenInput)
  .output(
    z.object({
      id: z.uuid(),
      token: z.string(),
      hint: z.string(),
      nodeName: z.string().nullable(),
      usesAllowed: z.number().int(),
      expiresAt: z.date(),
    }),
  )
  .mutation(({ ctx, input }) =>
    createToken({
      db: ctx.db,
      actor: ctx.actor,
      ttlSec: input.ttlSec,
      usesAllowed: input.usesAllowed,
      nodeName: input.nodeName ?? null,
    }),
  );
