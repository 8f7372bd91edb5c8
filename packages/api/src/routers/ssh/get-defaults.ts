import { z } from "zod";
import { adminProcedure } from "../../trpc";

/**
 * Defaults for the SSH form: the controller URL new servers should use. The configured public
 * URL (MESHOVER_PUBLIC_URL) wins over what the browser sees, which may be a tunnel, a proxy or
 * localhost; null when none is configured (the form then falls back to the page's origin).
 */
export const getDefaultsProcedure = adminProcedure
  .output(z.object({ controllerUrl: z.string().nullable() }))
  .query(({ ctx }) => ({ controllerUrl: ctx.publicUrl ?? null }));
