// What the dashboard's live views wait for: health reports (which nodes reported) and mesh
// changes (new version), both from the process's fan-out. Wake-ups are coalesced: a mesh of n
// nodes reports n times per interval, and one redraw per batch is enough.
import type { MeshFanout } from "./mesh-fanout";

/** One batch of activity since the previous one. */
export interface TMeshActivity {
  /** Nodes whose report was stored since the last batch. */
  reportedNodeIds: Set<string>;
  /** The mesh version moved (nodes, keys, prefixes or settings changed). */
  isMeshChanged: boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Batches of activity until `signal` aborts. Listening starts at the call (not at the first
 * `next()`), so nothing reported while the caller reads its first snapshot is missed. After a
 * wake-up it waits `coalesceMs` more, so reports that arrive together make one batch.
 */
export function watchMeshActivity(
  fanout: MeshFanout,
  signal: AbortSignal,
  coalesceMs = 200,
): AsyncGenerator<TMeshActivity, void> {
  const reported = new Set<string>();
  let wake: (() => void) | null = null;
  const off = fanout.onReport((nodeId) => {
    reported.add(nodeId);
    wake?.();
  });
  signal.addEventListener("abort", off, { once: true });
  let version = fanout.latestVersion;
  async function* batches(): AsyncGenerator<TMeshActivity, void> {
    try {
      while (!signal.aborted) {
        if (reported.size === 0 && fanout.latestVersion <= version) {
          // A child signal, so the version waiter is removed when a report wins the race.
          const round = new AbortController();
          const onAbort = () => round.abort();
          signal.addEventListener("abort", onAbort, { once: true });
          await Promise.race([
            fanout.waitForVersionAfter(version, round.signal),
            new Promise<void>((resolve) => {
              wake = resolve;
            }),
          ]);
          wake = null;
          round.abort();
          signal.removeEventListener("abort", onAbort);
        }
        await sleep(coalesceMs, signal);
        if (signal.aborted) return;
        const batch = {
          reportedNodeIds: new Set(reported),
          isMeshChanged: fanout.latestVersion > version,
        };
        reported.clear();
        version = fanout.latestVersion;
        yield batch;
      }
    } finally {
      off();
    }
  }
  return batches();
}
