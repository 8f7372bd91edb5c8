import { z } from "zod";
import { appendSessionCookie } from "../../lib/session-cookie";
import { setUpAdmin } from "../../services/auth/set-up-admin";
import { publicProcedure } from "../../trpc";
import { ZPassword, ZUserView } from "./schemas";

/** `auth.setup` input: the one-time code printed at start, and the first admin's login. */
export const ZSetUpInput = z
  .object({
    code: z.string().min(16).max(128),
    email: z.email(),
    password: ZPassword,
  })
  .strict();

/** First-run setup: create the first admin with the printed code and sign them in. */
export const setUpProcedure = publicProcedure
  .input(ZSetUpInput)
  .output(ZUserView)
  .mutation(async ({ ctx, input }) => {
    const { session, user } = await setUpAdmin({
      db: ctx.db,
      code: input.code,
      email: input.email,
      password: input.password,
      ip: ctx.ip,
      userAgent: ctx.headers.get("user-agent"),
    });
    appendSessionCookie(ctx, session);
    return user;
  });
