import { z } from "zod";
import { ZRotationView, listRotations } from "../../services/key/list-rotations";
import { protectedProcedure } from "../../trpc";

/** Recent key rotations and their progress per peer. */
export const listRotationsProcedure = protectedProcedure
  .input(
    z
      .object({ nodeId: z.uuid().optional(), limit: z.number().int().min(1).max(500).default(50) })
      .strict()
      .default({ limit: 50 }),
  )
  .output(z.array(ZRotationView))
  .query(({ ctx, input }) =>
    listRotations({ db: ctx.db, nodeId: input.nodeId, limit: input.limit }),
  );
