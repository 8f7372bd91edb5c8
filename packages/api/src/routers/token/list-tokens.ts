import { z } from "zod";
import { listTokens } from "../../services/token/list-tokens";
import { protectedProcedure } from "../../trpc";

/** An enrollment token in lists (hint only). */
export const ZTokenSummary = z.object({
  id: z.uuid(),
  hint: z.string(),
  nodeName: z.string().nullable(),
  usesAllowed: z.number().int(),
  usesCount: z.number().int(),
  expiresAt: z.date(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
  status: z.enum(["active", "expired", "used", "revoked"]),
});

/** Every enrollment token, newest first. */
export const listTokensProcedure = protectedProcedure
  .input(z.void())
  .output(z.array(ZTokenSummary))
  .query(({ ctx }) => listTokens({ db: ctx.db }));
