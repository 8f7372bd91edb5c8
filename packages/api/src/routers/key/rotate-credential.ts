import { z } from "zod";
import { rotateCredential } from "../../services/key/rotate-credential";
import { adminProcedure } from "../../trpc";

/** Replace a node's agent credential (old ones revoked); the new one is shown once. */
export const rotateCredentialProcedure = adminProcedure
  .input(z.object({ nodeId: z.uuid() }).strict())
  .output(z.object({ nodeId: z.uuid(), credential: z.string(), revokedCount: z.number().int() }))
  .mutation(({ ctx, input }) =>
    rotateCredential({ db: ctx.db, actor: ctx.actor, nodeId: input.nodeId }),
  );
