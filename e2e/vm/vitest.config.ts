import { defineConfig } from "vitest/config";

// The VM tier (root only, MESHOVER_LAB=1): Debian 12 guests under qemu (software emulation,
// about 20x slower than the host), one set of guests shared by the tests of one file, in order.
// The named waits inside the tests carry the real timeouts; these only stop a hung run.
export default defineConfig({
  test: {
    include: ["e2e/vm/**/*.vm.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    fileParallelism: false,
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 40 * 60_000,
    hookTimeout: 40 * 60_000,
    teardownTimeout: 5 * 60_000,
    sequence: { concurrent: false },
  },
});
