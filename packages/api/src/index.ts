// Public surface of @meshover/api for the web app and tools.
export { readControllerEnv, type TControllerEnv } from "./env";
export { checkDatabase, type TDatabaseHealth } from "./services/health/check-database";
export { bootstrapAdmin, type TBootstrapResult } from "./services/auth/bootstrap-admin";
export { ensureSettings, generateUlaPrefix } from "./services/settings/ensure-settings";
