import { z } from "zod";
import { readSettings } from "../../services/settings/read-settings";
import { protectedProcedure } from "../../trpc";

/** The settings as shown. */
export const ZSettingsView = z.object({
  ipv4Pool: z.string(),
  ipv6Pool: z.string(),
  asnMin: z.number().int(),
  asnMax: z.number().int(),
  basePort: z.number().int(),
  underlayMtu: z.number().int(),
  tunnelMtu: z.number().int().nullable(),
  healthIntervalSec: z.number().int(),
  staleAfterSec: z.number().int(),
  meshVersion: z.number().int(),
  hasMetricsToken: z.boolean(),
  updatedAt: z.date(),
});

/** The mesh settings. */
export const getSettingsProcedure = protectedProcedure
  .input(z.void())
  .output(ZSettingsView)
  .query(({ ctx }) => readSettings({ db: ctx.db }));
