// Continuous probes: one `ping -i 0.1` per directed pair running in the background while a test
// disturbs the mesh (controller down, key rotation), then a count of what was lost.
import { ping } from "./observe-node";
import { addressOf, type TPairProbe } from "./start-mesh";

/** What one pair's probe stream saw. */
export interface TProbeResult {
  pair: string;
  sent: number;
  received: number;
  lost: number;
}

/** Options for {@link startProbes}. */
export interface TProbeOptions {
  /** Probes per second per pair. */
  pps: number;
  durationSec: number;
}

/** Start probing every pair in `pairs`; await `done` for the counts. */
export function startProbes(pairs: TPairProbe[], options: TProbeOptions) {
  const count = Math.round(options.pps * options.durationSec);
  const done = Promise.all(
    pairs.map(async (pair): Promise<TProbeResult> => {
      const result = await ping(pair.from.node.netns, addressOf(pair.to, pair.family), {
        source: addressOf(pair.from, pair.family),
        count,
        intervalSec: 1 / options.pps,
        // No -w: with a deadline ping would keep sending past `count` to make up for losses.
        waitSec: 1,
      });
      return {
        pair: `${pair.from.node.name}->${pair.to.node.name}/v${pair.family}`,
        sent: result.sent,
        received: result.received,
        // A run that never printed its summary (crashed) lost everything it should have sent.
        lost: (result.sent || count) - result.received,
      };
    }),
  );
  return { done };
}

/** Sum and worst pair of a probe run. */
export function summarizeProbes(results: TProbeResult[]) {
  const lost = results.reduce((sum, r) => sum + r.lost, 0);
  const sent = results.reduce((sum, r) => sum + r.sent, 0);
  const worst = results.reduce((a, b) => (b.lost > a.lost ? b : a), results[0]!);
  const lossy = results.filter((r) => r.lost > 0).map((r) => `${r.pair}: ${r.lost}`);
  return { sent, lost, worst, lossy };
}
