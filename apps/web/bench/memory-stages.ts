// Where the controller's memory goes: starts its parts one at a time on an existing embedded
// data folder, as apps/web/src/server/main.ts does, and prints the resident set after each
// (after a full GC). Run by packages/api/bench/controller.bench.ts with --expose-gc:
// `memory-stages.ts <data dir>`; prints one JSON line per stage.
/* eslint-disable no-restricted-properties -- a benchmark reads its own settings */
import { fileURLToPath } from "node:url";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: memory-stages.ts <data dir>");
const MIB = 1024 * 1024;
let previous = 0;
function report(stage: string) {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  console.log(
    JSON.stringify({
      stage,
      rssMiB: memory.rss / MIB,
      deltaMiB: (memory.rss - previous) / MIB,
      heapUsedMiB: memory.heapUsed / MIB,
      externalMiB: memory.external / MIB,
    }),
  );
  previous = memory.rss;
}

report("Node.js + tsx");
const [{ default: next }, { startEmbeddedDatabase }, { applyMigrations }, api] = await Promise.all([
  import("next"),
  import("@meshover/prisma/embedded"),
  import("@meshover/prisma/migrate"),
  import("@meshover/api/db"),
]);
report("code loaded (Next, Prisma, PGlite, API)");
const embedded = await startEmbeddedDatabase({ dataDir });
process.env.DATABASE_URL = embedded.url;
process.env.MESHOVER_EMBEDDED_DB = "1";
report("PGlite open and served");
await applyMigrations({ url: embedded.url });
const db = api.getDb();
await db.node.count();
report("migrations checked, Prisma client");
const app = next({ dev: false, dir: fileURLToPath(new URL("..", import.meta.url)) });
await app.prepare();
report("Next prepared");
await app.close();
await api.closeDb();
await embedded.stop();
process.exit(0);
