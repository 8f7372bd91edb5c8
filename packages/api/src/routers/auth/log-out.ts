import { z } from "zod";
import { formatClearedSessionCookie } from "../../lib/session-cookie";
import { logOut } from "../../services/auth/log-out";
import { protectedProcedure } from "../../trpc";

/** End the current session and clear the cookie. */
export const logOutProcedure = protectedProcedure
  .input(z.void())
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx }) => {
    await logOut({ db: ctx.db, sessionId: ctx.session.sessionId, actor: ctx.actor });
    ctx.resHeaders.append("set-cookie", formatClearedSessionCookie({ isSecure: ctx.isSecure }));
    return { ok: true as const };
  });
