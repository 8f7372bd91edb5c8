import { z } from "zod";
import { ZSettingsView, readSettings } from "../../services/settings/read-settings";
import { protectedProcedure } from "../../trpc";

/** The mesh settings. */
export const getSettingsProcedure = protectedProcedure
  .input(z.void())
  .output(ZSettingsView)
  .query(({ ctx }) => readSettings({ db: ctx.db }));
