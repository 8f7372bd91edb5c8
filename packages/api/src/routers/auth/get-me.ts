import { z } from "zod";
import { SESSION_COOKIE, readCookie } from "../../lib/session-cookie";
import { resolveSession } from "../../services/auth/resolve-session";
import { publicProcedure } from "../../trpc";
import { ZUserView } from "./schemas";

/** The signed-in user, or null (public, so pages can decide where to send a visitor). */
export const getMeProcedure = publicProcedure
  .input(z.void())
  .output(ZUserView.nullable())
  .query(async ({ ctx }) => {
    const token = readCookie(ctx.headers, SESSION_COOKIE);
    const session = token ? await resolveSession({ db: ctx.db, token }) : null;
    return session ? { id: session.userId, email: session.email, role: session.role } : null;
  });
