import { z } from "zod";
import { rotateKeys } from "../../services/key/rotate-keys";
import { adminProcedure } from "../../trpc";
import { ZRotateKeysOutput } from "./rotate-key";

/** Rotate every node's WireGuard key. */
export const rotateAllProcedure = adminProcedure
  .input(z.void())
  .output(ZRotateKeysOutput)
  .mutation(({ ctx }) => rotateKeys({ db: ctx.db, actor: ctx.actor, nodeIds: null }));
