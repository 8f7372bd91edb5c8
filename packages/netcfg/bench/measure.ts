// Timing helper shared by netcfg's benchmark scripts.
import { performance } from "node:perf_hooks";

/** Median and p95 of `runs` timed calls of `work` (after `warmups` untimed ones). */
export function measure(
  runs: number,
  work: () => unknown,
  warmups = 20,
): { median: number; p95: number } {
  for (let i = 0; i < warmups; i += 1) work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(runs / 2)] ?? 0,
    p95: times[Math.floor(runs * 0.95)] ?? 0,
  };
}
