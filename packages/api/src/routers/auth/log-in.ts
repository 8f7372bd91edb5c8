import { z } from "zod";
import { zText } from "@meshover/netcfg";
import { appendSessionCookie } from "../../lib/session-cookie";
import { logIn } from "../../services/auth/log-in";
import { publicProcedure } from "../../trpc";
import { ZUserView } from "./schemas";

/** `auth.login` input. */
export const ZLogInInput = z
  .object({ email: zText().trim().min(3).max(254), password: z.string().min(1).max(1024) })
  .strict();

/** Sign in with e-mail and password; sets the session cookie. Rate limited. */
export const logInProcedure = publicProcedure
  .input(ZLogInInput)
  .output(ZUserView)
  .mutation(async ({ ctx, input }) => {
    const { session, user } = await logIn({
      db: ctx.db,
      email: input.email,
      password: input.password,
      ip: ctx.ip,
      userAgent: ctx.headers.get("user-agent"),
    });
    appendSessionCookie(ctx, session);
    return user;
  });
