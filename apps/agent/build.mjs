// Build the agent for servers: dist/meshover-agent.mjs (one file for plain `node` 18.19+), the
// Debian packages and the installer's downloads in dist/downloads (see packaging/build-packages.mjs).
// `--bundle-only` stops after the .mjs (what the lab and tests run).
import { build } from "esbuild";
import { buildPackages } from "./packaging/build-packages.mjs";

/** Node 18.19 is the oldest distro Node the agent supports (Ubuntu 24.04; Debian 12 has 18.20). */
const TARGET = "node18.19";

const common = {
  entryPoints: ["src/cli.ts"],
  bundle: true,
  platform: "node",
  target: TARGET,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
};

await build({
  ...common,
  outfile: "dist/meshover-agent.mjs",
  format: "esm",
  // CommonJS dependencies (pino, ...) call require(): give the ES module one.
  banner: {
    js: 'import { createRequire as __meshoverCreateRequire } from "node:module"; const require = __meshoverCreateRequire(import.meta.url);',
  },
});

if (!process.argv.includes("--bundle-only")) {
  // A single executable application embeds a CommonJS script (an ES module entry fails there).
  await build({ ...common, outfile: "dist/meshover-agent.cjs", format: "cjs" });
  await buildPackages();
}
