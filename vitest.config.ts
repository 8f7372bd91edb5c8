import { defineConfig } from "vitest/config";

// One run over every workspace's tests. Integration tests (*.integration.test.ts) need
// DATABASE_URL (npm test starts a throwaway PostgreSQL); lab tests live in e2e/lab and run
// through their own config (root only).
export default defineConfig({
  test: {
    projects: ["packages/*", "prisma", "apps/*"],
  },
});
