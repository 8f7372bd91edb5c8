// Route candidate ingest benchmark (issue #14): a node reports 1,000 /32 VIPs through the real
// agent.report procedure against a real Postgres (throwaway, or DATABASE_URL's server); a peer
// holds the same VIPs, so every report also re-judges 2,000 candidates for conflicts. Prints the
// median and max of several runs per case. Target: 1,000 candidates ingested in ≤ 200 ms.
// Run: npm run bench -- route-ingest   (BENCH_ROUTE_CANDIDATES=5000 for another size)
/* eslint-disable no-restricted-properties -- a benchmark sets up its database like a test */
import type { TRouteCandidate } from "@meshover/netcfg";
import { createTestDatabase } from "@meshover/prisma/testing";
import { startThrowawayPostgres } from "../../../scripts/lib/postgres.mjs";
import { createCaller } from "../src/root";
import { ingestRouteCandidates } from "../src/services/routing/ingest-route-candidates";
import { updateNodeRouting } from "../src/services/routing/update-node-routing";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import { createToken } from "../src/services/token/create-token";
import { createContextInner } from "../src/trpc";
import { makeEnrollRequest, makeHealthReport } from "../test/http-client";

const COUNT = Number(process.env.BENCH_ROUTE_CANDIDATES ?? 1000);
const RUNS = 7;
const actor = { id: null, email: "bench" };

function vips(verdict: "announced" | "refused"): TRouteCandidate[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    prefix: `10.70.${Math.floor(i / 256)}.${i % 256}/32`,
    source: "connected" as const,
    interface: "kube-lb0",
    protocol: null,
    speaker: null,
    verdict,
    refusal: verdict === "refused" ? ("prefix-cap" as const) : null,
    detail: verdict === "refused" ? "over the node's cap" : null,
  }));
}

function summarize(timings: number[]) {
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (runs: ${timings.map((t) => t.toFixed(0)).join(", ")})`;
}

async function main() {
  let postgres: { url: string; stop(): void } | null = null;
  if (!process.env.DATABASE_URL) {
    postgres = await startThrowawayPostgres();
    process.env.DATABASE_URL = postgres.url;
  }
  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    await ensureSettings({ db });
    const { token } = await createToken({ db, actor, ttlSec: 600, usesAllowed: 2 });
    const anonymous = createCaller(createContextInner({ db }));
    const holder = await anonymous.agent.enroll({
      ...makeEnrollRequest(token, "holder"),
      endpoints: ["2001:db8::1"],
    });
    const peer = await anonymous.agent.enroll({
      ...makeEnrollRequest(token, "peer"),
      endpoints: ["2001:db8::2"],
    });
    for (const node of [holder, peer]) {
      await updateNodeRouting({
        db,
        actor,
        nodeId: node.nodeId,
        policy: {
          mayOriginate: true,
          exitNode: false,
          maxPrefixes: 100000,
          allowedRanges: [
            { prefix: "10.70.0.0/16", maxLength: 32, anycast: true, description: null },
          ],
          sources: null,
        },
      });
    }
    await ingestRouteCandidates({ db, nodeId: peer.nodeId, candidates: vips("announced") });
    const agent = createCaller(
      createContextInner({
        db,
        headers: new Headers({ authorization: `Bearer ${holder.credential}` }),
      }),
    );
    const row = await db.node.findUniqueOrThrow({ where: { id: holder.nodeId } });
    const base = {
      ...makeHealthReport([peer.nodeId]),
      endpoints: row.endpoints,
      publicKey: row.publicKey!,
    };
    const report = (routeCandidates: TRouteCandidate[] | null) =>
      agent.agent.report({ ...base, routeCandidates });
    await report(null); // warm up the procedure path

    const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      [
        `${COUNT} new VIPs (first report)`,
        () => db.discoveredRoute.deleteMany({ where: { nodeId: holder.nodeId } }),
        () => report(vips("announced")),
      ],
      [
        `${COUNT} unchanged (agent restart)`,
        () => report(vips("announced")),
        () => report(vips("announced")),
      ],
      [`${COUNT} verdicts changed`, () => report(vips("announced")), () => report(vips("refused"))],
      [`${COUNT} vanished`, () => report(vips("announced")), () => report([])],
      [`null (unchanged, the usual report)`, () => report(vips("announced")), () => report(null)],
    ];
    console.log(
      `route candidate ingest through agent.report, a peer holding the same ${COUNT} VIPs:`,
    );
    for (const [name, prepare, measure] of cases) {
      const timings: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await prepare();
        const started = performance.now();
        await measure();
        timings.push(performance.now() - started);
      }
      console.log(`  ${name}: ${summarize(timings)}`);
    }
    // Worst case: the peer's range is unicast, so every VIP becomes a conflict at once.
    await updateNodeRouting({
      db,
      actor,
      nodeId: peer.nodeId,
      policy: {
        mayOriginate: true,
        exitNode: false,
        maxPrefixes: 100000,
        allowedRanges: [
          { prefix: "10.70.0.0/16", maxLength: 32, anycast: false, description: null },
        ],
        sources: null,
      },
    });
    const timings: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await report([]);
      const started = performance.now();
      await report(vips("announced"));
      timings.push(performance.now() - started);
    }
    const conflicts = await db.routeConflict.count();
    console.log(
      `  ${COUNT} new VIPs opening ${conflicts} conflicts (events, mesh version bump): ${summarize(timings)}`,
    );
  } finally {
    await testDb.drop();
    postgres?.stop();
  }
}

await main();
