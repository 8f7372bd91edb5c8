// Preloaded into the controller under benchmark (`node --import`), so the real server
// (apps/web/src/server/main.ts) runs unchanged: answers the bench's "stats" IPC messages with
// the CPU it used since the previous one and its memory figures. With BENCH_PROFILE_DIR set,
// "profile-start" and "profile-stop" bracket a V8 CPU profile of one phase (written to
// <dir>/<name>-<pid>.cpuprofile; --cpu-prof would write only at a clean exit, and the bench
// stops the controller with a signal).
/* eslint-disable no-restricted-properties -- a benchmark probe, not the product: BENCH_* only */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const MIB = 1024 * 1024;
let lastCpu = process.cpuUsage();
let lastAt = performance.now();
let session: Session | null = null;
process.on("message", (message: unknown) => {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (typeof message === "object" && message && "profile" in message && dir) {
    const { profile, name } = message as { profile: "start" | "stop"; name: string };
    if (profile === "start") {
      session = new Session();
      session.connect();
      session.post("Profiler.enable", () => session?.post("Profiler.start"));
      process.send?.({ profiling: true });
    } else {
      session?.post("Profiler.stop", (error, result) => {
        const file = join(dir, `${name}-${process.pid}.cpuprofile`);
        if (!error) writeFileSync(file, JSON.stringify(result.profile));
        session?.disconnect();
        session = null;
        process.send?.({ profiled: error ? String(error) : file });
      });
    }
    return;
  }
  if (message !== "stats") return;
  const cpu = process.cpuUsage(lastCpu);
  const now = performance.now();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const memory = process.memoryUsage();
  process.send?.({
    cpuMs,
    cpuPercent: (cpuMs / (now - lastAt)) * 100,
    rssMiB: memory.rss / MIB,
    heapUsedMiB: memory.heapUsed / MIB,
    heapTotalMiB: memory.heapTotal / MIB,
    externalMiB: memory.external / MIB,
  });
  lastCpu = process.cpuUsage();
  lastAt = now;
});
