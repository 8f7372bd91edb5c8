import { z } from "zod";
import { ZInt8Id, zText } from "@meshover/netcfg";
import { ZAuditEventPage, listAuditEvents } from "../../services/audit/list-audit-events";
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
  .output(ZAuditEventPage)
  .query(({ ctx, input }) => listAuditEvents({ db: ctx.db, ...input }));
