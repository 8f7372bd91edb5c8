import { z } from "zod";
import { revokeToken } from "../../services/token/revoke-token";
import { adminProcedure } from "../../trpc";

/** Revoke an enrollment token. */
export const revokeTokenProcedure = adminProcedure
  .input(z.object({ tokenId: z.uuid() }).strict())
  .output(z.object({ id: z.uuid(), revokedAt: z.date() }))
  .mutation(({ ctx, input }) =>
    revokeToken({ db: ctx.db, actor: ctx.actor, tokenId: input.tokenId }),
  );
