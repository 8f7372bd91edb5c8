// Bundle the agent into one file runnable with plain `node`: dist/meshover-agent.mjs.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist/meshover-agent.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifySyntax: true,
  legalComments: "none",
  // CommonJS dependencies (pino, ...) call require(): give the ES module one.
  banner: {
    js: 'import { createRequire as __meshoverCreateRequire } from "node:module"; const require = __meshoverCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});
