#!/usr/bin/env node
// `npm run fuzz [-- RUNS [SEED]]`: the fuzz (property) tests of network input with a bigger
// budget than CI's (MESHOVER_FUZZ_RUNS=300, seed 13): agent reports, the config stream and its
// deltas, the tool-output parsers and the tRPC inputs (needs DATABASE_URL, like npm test's
// integration tier). Prints the budget and seed, then vitest's list of properties; a failure
// prints fast-check's counterexample and the seed to replay it.
import { ROOT, prepareWorkspace, run, step } from "./lib/setup.mjs";

prepareWorkspace();
const runs = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
step(`fuzz: ${runs} runs per property (a third for database-backed ones), seed ${seed}`);
const started = Date.now();
run(
  "npx",
  [
    "vitest",
    "run",
    "--testTimeout=1800000",
    "packages/netcfg/test/fuzz-tool-output.test.ts",
    "packages/netcfg/test/fuzz-protocol.test.ts",
    ...(process.env.DATABASE_URL ? ["packages/api/test/fuzz-inputs.integration.test.ts"] : []),
  ],
  {
    cwd: ROOT,
    env: { ...process.env, MESHOVER_FUZZ_RUNS: String(runs), MESHOVER_FUZZ_SEED: String(seed) },
  },
);
console.log(`fuzz: done in ${Math.round((Date.now() - started) / 1000)} s, seed ${seed}`);
