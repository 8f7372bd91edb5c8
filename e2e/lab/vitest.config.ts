import { defineConfig } from "vitest/config";

// The network lab (root only, MESHOVER_LAB=1): real namespaces, wireguard-go, FRR and agents.
// Test files share the machine's CPU and the lab's address plan, so they run one at a time, and
// every test has its own named timeouts inside; these outer ones only stop a hung run.
export default defineConfig({
  test: {
    include: ["e2e/lab/**/*.lab.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    fileParallelism: false,
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    sequence: { concurrent: false },
  },
});
