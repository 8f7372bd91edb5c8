import { z } from "zod";
import { ServiceError } from "../../lib/service-error";
import { ZSshJobView, readSshJob } from "../../services/ssh/ssh-jobs";
import { adminProcedure } from "../../trpc";

/** Progress of a bootstrap job the caller started. */
export const getJobProcedure = adminProcedure
  .input(z.object({ jobId: z.uuid() }).strict())
  .output(ZSshJobView)
  .query(({ ctx, input }) => {
    const job = readSshJob({ id: input.jobId, ownerId: ctx.session.userId });
    if (!job) throw new ServiceError("NOT_FOUND", "No such SSH job (it may have expired).");
    return job;
  });
