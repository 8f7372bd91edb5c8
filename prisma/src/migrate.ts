// Apply pending migrations by running the Prisma CLI (there is no supported programmatic API),
// through the same config and WASM engine developers use.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PRISMA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Run `prisma migrate deploy` against `url`; rejects with the CLI's output on failure. */
export function applyMigrations({ url }: { url: string }): Promise<void> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, "migrate", "deploy", "--config", join(PRISMA_DIR, "prisma.config.ts")],
      {
        cwd: PRISMA_DIR,
        env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`));
    });
  });
}
