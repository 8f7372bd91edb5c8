import { z } from "zod";
import { ZPeerHistory, readPeerHistory } from "../../services/history/read-peer-history";
import { protectedProcedure } from "../../trpc";

/** Per-peer RTT, throughput and handshake age of one node over the last minutes. */
export const readPeerHistoryProcedure = protectedProcedure
  .input(
    z
      .object({
        nodeId: z.uuid(),
        minutes: z
          .number()
          .int()
          .min(5)
          .max(24 * 60)
          .default(60),
      })
      .strict(),
  )
  .output(z.array(ZPeerHistory))
  .query(({ ctx, input }) =>
    readPeerHistory({
      db: ctx.db,
      nodeId: input.nodeId,
      minutes: input.minutes,
      // About 120 points per chart whatever the window.
      bucketSec: Math.max(30, Math.round((input.minutes * 60) / 120)),
    }),
  );
