// The controller under benchmark, in its own process so its CPU and memory can be measured
// apart from the simulated agents: the tRPC HTTP handler plus the LISTEN fan-out, as the real
// server runs them. Started by controller.bench.ts with fork(); answers "stats" messages.
import { createPrismaClient } from "@meshover/prisma";
import { serveApi } from "../src/http/serve-api";
import { getMeshFanout } from "../src/lib/mesh-fanout";

const url = process.argv[2];
if (!url) throw new Error("usage: serve-controller.ts <database url>");
// The same pool size as the controller on a real Postgres (see db.ts).
const db = createPrismaClient({ url, maxConnections: 25 });
const fanout = getMeshFanout(db);
await fanout.start({ url });
const api = await serveApi({ db });
let lastCpu = process.cpuUsage();
let lastAt = performance.now();
process.on("message", (message: unknown) => {
  if (message === "stats") {
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100;
    lastCpu = process.cpuUsage();
    lastAt = now;
    process.send?.({ cpuPercent, rssMiB: process.memoryUsage().rss / 1024 / 1024 });
  } else if (message === "stop") {
    void api.close().then(async () => {
      await fanout.stop();
      await db.$disconnect();
      process.exit(0);
    });
  }
});
process.send?.({ url: api.url, mode: fanout.mode });
