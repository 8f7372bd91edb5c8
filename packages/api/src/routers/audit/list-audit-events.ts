import { z } from "zod";
import { ZInt8Id, zText } from "@meshover/netcfg";
import { listAuditEvents } from "../../services/audit/list-audit-events";
import { protectedProcedure } from "../../trpc";

/** `audit.list` input: a page size, the cursor from the previous page, optional filters. */
export const ZListAuditEventsInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(50),
    cursor: ZInt8Id.nullish(),
    /** Action prefix, e.g. "node." */
    action: zText().max(64).optional(),
    targetId: zText().max(64).optional(),
    /** Free-text search. */
    query: zText().max(100).optional(),
  })
  .strict()
  .default({ limit: 50 });

/** The audit log, newest first, paginated. */
export const listAuditEventsProcedure = protectedProcedure
  .input(ZListAuditEventsInput)
  .output(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          at: z.date(),
          actorId: z.string().nullable(),
          actorEmail: z.string().nullable(),
          action: z.string(),
          targetType: z.string(),
          targetId: z.string().nullable(),
          change: z.unknown(),
          ip: z.string().nullable(),
          targetName: z.string().nullable(),
        }),
      ),
      nextCursor: z.string().nullable(),
    }),
  )
  .query(({ ctx, input }) => listAuditEvents({ db: ctx.db, ...input }));
