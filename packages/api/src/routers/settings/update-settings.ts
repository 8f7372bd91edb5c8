import { z } from "zod";
import { zText } from "@meshover/netcfg";
import { updateSettings } from "../../services/settings/update-settings";
import { adminProcedure } from "../../trpc";
import { ZSettingsView } from "../../services/settings/read-settings";

/** `settings.update` input: only the given fields change. */
export const ZUpdateSettingsInput = z
  .object({
    ipv4Pool: zText().trim().min(9).max(18).optional(),
    ipv6Pool: zText().trim().min(3).max(43).optional(),
    asnMin: z.number().int().optional(),
    asnMax: z.number().int().optional(),
    basePort: z.number().int().min(1024).max(65000).optional(),
    underlayMtu: z.number().int().min(1280).max(65535).optional(),
    tunnelMtu: z.number().int().min(1280).max(65535).nullable().optional(),
    healthIntervalSec: z.number().int().min(1).max(3600).optional(),
    staleAfterSec: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 3600)
      .optional(),
    metricsToken: z.enum(["generate", "clear"]).optional(),
  })
  .strict();

/** Change settings; refused when an existing allocation would be orphaned. */
export const updateSettingsProcedure = adminProcedure
  .input(ZUpdateSettingsInput)
  .output(z.object({ settings: ZSettingsView, metricsToken: z.string().nullable() }))
  .mutation(({ ctx, input }) => updateSettings({ db: ctx.db, actor: ctx.actor, patch: input }));
