// The config the Prisma CLI uses (generate, migrate). Prisma 6.19.3 runs its schema engine as
// WASM through a driver adapter, so nothing is downloaded; see src/migrate-adapter.ts for why
// the adapter needs patching.
import { defineConfig } from "prisma/config";
import { createMigrateAdapter } from "./src/migrate-adapter";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: () => createMigrateAdapter(process.env.DATABASE_URL ?? ""),
  schema: "schema.prisma",
  migrations: { path: "migrations" },
});
