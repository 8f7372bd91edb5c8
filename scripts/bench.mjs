#!/usr/bin/env node
// `npm run bench`: run every benchmark script (`<workspace>/bench/*.bench.ts`) one after
// another; each prints its own figures. `npm run bench -- <filter>` runs the ones whose path
// contains <filter>; arguments after the filter go to each benchmark
// (`npm run bench:lab -- --no-suite`).
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import {
  ROOT,
  ensureAgentBuild,
  ensureWebBuild,
  prepareWorkspace,
  run,
  step,
} from "./lib/setup.mjs";

prepareWorkspace();
const filter = process.argv[2] ?? "";
const benches = ["packages", "apps"]
  .flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, "bench")),
  )
  .concat([join(ROOT, "e2e", "bench")])
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".bench.ts"))
      .map((file) => join(dir, file)),
  )
  .filter((path) => relative(ROOT, path).includes(filter))
  .sort();
if (benches.length === 0) {
  console.log("no benchmarks match");
  process.exit(0);
}
// The lab benches run the agent bundle and the controller's Next build: a stale one would
// measure old code (the lab harness uses the bundle whenever it exists).
if (benches.some((path) => relative(ROOT, path).startsWith(join("e2e", "bench")))) {
  ensureWebBuild();
  ensureAgentBuild();
}
let failed = 0;
for (const bench of benches) {
  step(`bench ${relative(ROOT, bench)}`);
  try {
    run("npx", ["tsx", bench, ...process.argv.slice(3)], {
      env: { ...process.env, NODE_ENV: "production" },
    });
  } catch (error) {
    failed += 1;
    console.error(`✖ ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
