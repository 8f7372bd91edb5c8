import { z } from "zod";
import { rotateKeys } from "../../services/key/rotate-keys";
import { adminProcedure } from "../../trpc";

/** The rotations started (or already running) per node. */
export const ZRotateKeysOutput = z.object({
  rotations: z.array(z.object({ id: z.uuid(), nodeId: z.uuid() })),
});

/** Rotate one node's WireGuard key. */
export const rotateKeyProcedure = adminProcedure
  .input(z.object({ nodeId: z.uuid() }).strict())
  .output(ZRotateKeysOutput)
  .mutation(({ ctx, input }) =>
    rotateKeys({ db: ctx.db, actor: ctx.actor, nodeIds: [input.nodeId] }),
  );
