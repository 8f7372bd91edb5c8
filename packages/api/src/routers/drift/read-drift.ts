import { z } from "zod";
import { readDrift } from "../../services/drift/read-drift";
import { protectedProcedure } from "../../trpc";

const ZNames = z.array(z.string());

/** A node's drift: desired/applied versions, observed differences, re-apply state, prefix reach. */
export const readDriftProcedure = protectedProcedure
  .input(z.object({ nodeId: z.uuid() }).strict())
  .output(
    z.object({
      desiredVersion: z.number().int(),
      appliedVersion: z.number().int().nullable(),
      applyError: z.string().nullable(),
      observedAt: z.date().nullable(),
      differences: z
        .object({
          missingTunnels: ZNames,
          extraTunnels: ZNames,
          missingNeighbors: ZNames,
          extraNeighbors: ZNames,
        })
        .nullable(),
      reapply: z.object({
        requestedAt: z.date().nullable(),
        doneAt: z.date().nullable(),
        isPending: z.boolean(),
      }),
      prefixes: z.array(
        z.object({
          cidr: z.string(),
          announcedTo: z.number().int(),
          peerCount: z.number().int(),
        }),
      ),
    }),
  )
  .query(({ ctx, input }) => readDrift({ db: ctx.db, fanout: ctx.fanout, nodeId: input.nodeId }));
