// Metrics scrape benchmark: a throwaway database with a seeded 150-node full mesh (22,350
// directed tunnels, 6 samples each: 5 minutes of history), then `GET /api/metrics` through its handler: the size of a
// scrape, its time (median of several), and the series count — default and `?edges=detail`.
// Uses DATABASE_URL's server when set, else starts a throwaway PostgreSQL.
// Run: npm run bench -- metrics   (BENCH_METRICS_NODES=50 for another size)
/* eslint-disable no-restricted-properties -- a benchmark sets up its database like a test */
import { createTestDatabase } from "@meshover/prisma/testing";
import { seedMesh } from "../../../e2e/browser/helpers/seed-mesh";
import { handleMetricsRequest } from "../src/http/handle-metrics-request";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import { startThrowawayPostgres } from "../../../scripts/lib/postgres.mjs";

const NODES = Number(process.env.BENCH_METRICS_NODES ?? 150);
const RUNS = 7;
/** Minutes of stored samples per direction (one a minute); a real week holds far more. */
const HISTORY_MINUTES = Number(process.env.BENCH_METRICS_HISTORY_MINUTES ?? 5);

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  let postgres: { url: string; stop(): void } | null = null;
  if (!process.env.DATABASE_URL) {
    postgres = await startThrowawayPostgres();
    process.env.DATABASE_URL = postgres.url;
  }
  const testDb = await createTestDatabase();
  try {
    await ensureSettings({ db: testDb.db });
    const seeded = performance.now();
    await seedMesh({
      databaseUrl: testDb.url,
      count: NODES,
      prefix: "bench",
      historyMinutes: HISTORY_MINUTES,
    });
    await testDb.db.$executeRawUnsafe('ANALYZE "HealthSample"');
    console.log(
      `metrics scrape, ${NODES} nodes / ${NODES * (NODES - 1)} tunnel directions (seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s):`,
    );
    for (const query of ["", "?edges=detail"]) {
      const timings: number[] = [];
      let text = "";
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        const response = await handleMetricsRequest({
          req: new Request(`http://controller/api/metrics${query}`, {
            headers: { "x-forwarded-for": "127.0.0.1" },
          }),
          db: testDb.db,
        });
        text = await response.text();
        timings.push(performance.now() - started);
      }
      const series = text.split("\n").filter((line) => line && !line.startsWith("#")).length;
      console.log(
        `  /api/metrics${query || " (default)"}: ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, ${series} series, median ${median(timings).toFixed(0)} ms (runs: ${timings.map((t) => t.toFixed(0)).join(", ")} ms)`,
      );
    }
  } finally {
    await testDb.drop();
    postgres?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
