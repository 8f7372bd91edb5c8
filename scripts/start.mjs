#!/usr/bin/env node
// `npm start`: set up what is missing, then run the controller in the foreground.
// Node built-ins only until dependencies exist.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { ROOT, ensureAgentBuild, ensureWebBuild, prepareWorkspace, step } from "./lib/setup.mjs";

const started = performance.now();
try {
  prepareWorkspace();
  ensureWebBuild();
  ensureAgentBuild();
} catch (error) {
  console.error(`\n✖ setup failed: ${error.message}`);
  process.exit(1);
}
step(
  `set-up done in ${((performance.now() - started) / 1000).toFixed(1)} s; starting the controller`,
);

const child = spawn(
  process.execPath,
  ["--import", "tsx", join(ROOT, "apps", "web", "src", "server", "main.ts")],
  {
    cwd: join(ROOT, "apps", "web"),
    stdio: "inherit",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      ...process.env,
      // Relative to where the user ran npm start, not to the web app's folder.
      MESHOVER_DATA_DIR: resolve(
        process.env.INIT_CWD ?? ROOT,
        process.env.MESHOVER_DATA_DIR ?? join(ROOT, ".data"),
      ),
    },
  },
);
// Ctrl-C reaches the whole process group; forward other stop signals ourselves.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal === "SIGHUP" ? "SIGTERM" : signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
