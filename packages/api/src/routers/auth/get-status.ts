import { z } from "zod";
import { readSetupStatus } from "../../services/auth/read-setup-status";
import { publicProcedure } from "../../trpc";

/** Whether first-run setup is still needed (no user exists). */
export const getStatusProcedure = publicProcedure
  .input(z.void())
  .output(z.object({ needsSetup: z.boolean() }))
  .query(({ ctx }) => readSetupStatus({ db: ctx.db }));
