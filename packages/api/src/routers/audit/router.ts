import { createTRPCRouter } from "../../trpc";
import { listAuditEventsProcedure } from "./list-audit-events";

/** The audit log. */
export const auditRouter = createTRPCRouter({
  list: listAuditEventsProcedure,
});
