import { z } from "zod";
import { publicProcedure, readRequestSession } from "../../trpc";
import { ZUserView } from "./schemas";

/** The signed-in user, or null (public, so pages can decide where to send a visitor). */
export const getMeProcedure = publicProcedure
  .input(z.void())
  .output(ZUserView.nullable())
  .query(async ({ ctx }) => {
    const session = await readRequestSession(ctx);
    return session ? { id: session.userId, email: session.email, role: session.role } : null;
  });
