import { z } from "zod";

/** A dashboard user as the API shows it (never the password hash). */
export const ZUserView = z.object({
  id: z.uuid(),
  email: z.email(),
  role: z.enum(["admin", "viewer"]),
});

/** A password: long enough to resist guessing, bounded so hashing cannot be abused. */
export const ZPassword = z.string().min(12, "use at least 12 characters").max(1024);

/** A dashboard user as the API shows it. */
export type TUserView = z.infer<typeof ZUserView>;
