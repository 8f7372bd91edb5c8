import { z } from "zod";
import { listRotations } from "../../services/key/list-rotations";
import { protectedProcedure } from "../../trpc";

/** A rotation with per-peer progress. */
export const ZRotationView = z.object({
  id: z.uuid(),
  nodeId: z.uuid(),
  nodeName: z.string(),
  status: z.enum(["pending", "reported", "done", "failed"]),
  oldPublicKey: z.string().nullable(),
  newPublicKey: z.string().nullable(),
  requestedAt: z.date(),
  reportedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  error: z.string().nullable(),
  peers: z.array(
    z.object({
      peerId: z.string(),
      peerName: z.string().nullable(),
      state: z.enum(["waiting", "done", "failed"]),
    }),
  ),
  progress: z.number().min(0).max(1),
});

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
