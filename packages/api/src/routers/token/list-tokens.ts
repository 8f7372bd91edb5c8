import { z } from "zod";
import { ZTokenSummary, listTokens } from "../../services/token/list-tokens";
import { protectedProcedure } from "../../trpc";

/** Every enrollment token, newest first. */
export const listTokensProcedure = protectedProcedure
  .input(z.void())
  .output(z.array(ZTokenSummary))
  .query(({ ctx }) => listTokens({ db: ctx.db }));
