import { z } from "zod";
import { listEvents } from "../../services/events/list-events";
import { protectedProcedure } from "../../trpc";

/** `events.list` input: one node or the whole mesh, how far back, how many. */
export const ZListEventsInput = z
  .object({
    nodeId: z.uuid().optional(),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();

/** The mesh timeline (BGP/BFD up and down, handshake gaps, configs applied, joins, removals, rotations). */
export const listEventsProcedure = protectedProcedure
  .input(ZListEventsInput)
  .output(
    z.array(
      z.object({
        id: z.string(),
        at: z.date(),
        kind: z.string(),
        nodeId: z.string(),
        nodeName: z.string().nullable(),
        peerId: z.string().nullable(),
        peerName: z.string().nullable(),
        detail: z.string().nullable(),
      }),
    ),
  )
  .query(({ ctx, input }) =>
    listEvents({
      db: ctx.db,
      nodeId: input.nodeId,
      since: new Date(Date.now() - input.minutes * 60_000),
      limit: input.limit,
    }),
  );
