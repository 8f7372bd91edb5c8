import { createTRPCRouter } from "../../trpc";
import { getSettingsProcedure } from "./get-settings";
import { updateSettingsProcedure } from "./update-settings";

/** Mesh settings. */
export const settingsRouter = createTRPCRouter({
  get: getSettingsProcedure,
  update: updateSettingsProcedure,
});
