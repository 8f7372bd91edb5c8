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
  /** When each lost probe was sent (estimated from the replies around it), ISO times. */
  lostAt: string[];
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
        isPerProbe: true,
      });
      return {
        pair: `${pair.from.node.name}->${pair.to.node.name}/v${pair.family}`,
        sent: result.sent,
        received: result.received,
        // A run that never printed its summary (crashed) lost everything it should have sent.
        lost: (result.sent || count) - result.received,
        lostAt: findLostProbes(result.output, result.sent, 1 / options.pps),
      };
    }),
  );
  return { done };
}

/**
 * The send times of the probes `ping -D` printed no reply for: a probe's time is estimated from
 * the nearest earlier reply (its time minus the round trip, plus the interval per sequence step),
 * close enough to line a loss up with the agents' logs.
 */
export function findLostProbes(output: string, sent: number, intervalSec: number): string[] {
  const replies = new Map<number, number>();
  for (const match of output.matchAll(/^\[(\d+\.\d+)\].*icmp_seq=(\d+).*time=([\d.]+) ms/gm)) {
    replies.set(Number(match[2]), Number(match[1]) * 1000 - Number(match[3]));
  }
  const lost: string[] = [];
  let anchor: { seq: number; sentMs: number } | null = null;
  for (let seq = 1; seq <= sent; seq++) {
    const sentMs = replies.get(seq);
    if (sentMs !== undefined) {
      anchor = { seq, sentMs };
      continue;
    }
    const estimate = anchor ? anchor.sentMs + (seq - anchor.seq) * intervalSec * 1000 : NaN;
    lost.push(Number.isNaN(estimate) ? `seq ${seq}` : new Date(estimate).toISOString());
  }
  return lost;
}

/** Sum and worst pair of a probe run. */
export function summarizeProbes(results: TProbeResult[]) {
  const lost = results.reduce((sum, r) => sum + r.lost, 0);
  const sent = results.reduce((sum, r) => sum + r.sent, 0);
  const worst = results.reduce((a, b) => (b.lost > a.lost ? b : a), results[0]!);
  const lossy = results.filter((r) => r.lost > 0).map((r) => `${r.pair}: ${r.lost}`);
  const lostAt = results
    .flatMap((r) => r.lostAt.map((at) => `${at} ${r.pair}`))
    .sort((a, b) => a.localeCompare(b));
  return { sent, lost, worst, lossy, lostAt };
}
