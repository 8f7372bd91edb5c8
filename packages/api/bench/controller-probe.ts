// Preloaded into the controller under benchmark (`node --import`), so the real server
// (apps/web/src/server/main.ts) runs unchanged: answers the bench's "stats" IPC messages with
// the CPU it used since the previous one and its memory figures.
const MIB = 1024 * 1024;
let lastCpu = process.cpuUsage();
let lastAt = performance.now();
process.on("message", (message: unknown) => {
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
