// Probes through a tunnel: RTT to the peer's link-local and the path MTU found with DF pings,
// cached per tunnel so reports without probing repeat the last figures.
import { runAll, type TCommandResult, type TRunner } from "../exec/run-command";

/** A tunnel to probe: its device, the peer's link-local, and what the MTU cache keys on. */
export interface TProbeTarget {
  device: string;
  peerLinkLocal: string;
  interfaceMtu: number;
  endpoint: string | null;
}

/** One ping to the peer's link-local over the tunnel (an RTT probe), with `options`. */
const rttArgv = (device: string, peerLinkLocal: string, options: string[] = []) => [
  "ping",
  "-6",
  "-n",
  "-c",
  "1",
  "-W",
  "1",
  ...options,
  `${peerLinkLocal}%${device}`,
];

/**
 * One DF ping of `mtu` bytes: IPv6 header (40) + ICMPv6 header (8) around the payload; DF is
 * implied for IPv6 and `-M do` stops the local stack from fragmenting.
 */
const fitArgv = (device: string, target: string, mtu: number) =>
  rttArgv(device, target, ["-M", "do", "-s", String(mtu - 48)]);

/** The RTT in ms a ping printed, null when it got no answer. */
function readRtt(result: TCommandResult): number | null {
  const match = /time[=<]([\d.]+) ms/.exec(result.stdout);
  return result.code === 0 && match?.[1] ? Number(match[1]) : null;
}

async function isProbeFitting(
  runner: TRunner,
  device: string,
  target: string,
  mtu: number,
): Promise<boolean> {
  return (await runner.run(fitArgv(device, target, mtu), { timeoutMs: 3000 })).code === 0;
}

/**
 * Largest packet that crosses the tunnel unfragmented, by binary search between 1280 and the
 * interface MTU with DF probes; null when even 1280 does not pass (peer down).
 */
export async function measurePathMtu(
  runner: TRunner,
  device: string,
  peerLinkLocal: string,
  interfaceMtu: number,
): Promise<number | null> {
  if (await isProbeFitting(runner, device, peerLinkLocal, interfaceMtu)) return interfaceMtu;
  if (!(await isProbeFitting(runner, device, peerLinkLocal, 1280))) return null;
  let low = 1280;
  let high = interfaceMtu;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await isProbeFitting(runner, device, peerLinkLocal, middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** What a cached path MTU depends on. */
const mtuKey = (target: Pick<TProbeTarget, "endpoint" | "interfaceMtu">) =>
  `${target.endpoint ?? "-"}/${target.interfaceMtu}`;

interface TMtuCacheEntry {
  key: string;
  mtu: number;
  measuredAt: number;
}

/**
 * What the probes measured per tunnel: the path MTU (re-measured when stale or when endpoint or
 * MTU change) and the last RTT, so a report sent without probing repeats them.
 */
export class PeerProbeCache {
  private readonly entries = new Map<string, TMtuCacheEntry>();
  private readonly rtts = new Map<string, number | null>();
  constructor(private readonly maxAgeMs = 300_000) {}

  /**
   * Probe every target at once: the RTTs side by side (runAll), then the path MTUs that are not
   * cached (a DF ping at the interface MTU each, in one run; a binary search only for a tunnel
   * where that did not pass). Read the figures with {@link recall}.
   */
  async measureAll(runner: TRunner, targets: readonly TProbeTarget[], now: number): Promise<void> {
    const rtts = await runAll(
      runner,
      targets.map((t) => rttArgv(t.device, t.peerLinkLocal)),
      { timeoutMs: 5000 },
    );
    targets.forEach((target, i) => this.rtts.set(target.device, readRtt(rtts[i]!)));
    const stale = targets.filter((target) => {
      const entry = this.entries.get(target.device);
      return !(entry && entry.key === mtuKey(target) && now - entry.measuredAt < this.maxAgeMs);
    });
    const fits = await runAll(
      runner,
      stale.map((t) => fitArgv(t.device, t.peerLinkLocal, t.interfaceMtu)),
      { timeoutMs: 5000 },
    );
    await Promise.all(
      stale.map(async (target, i) => {
        const mtu =
          fits[i]!.code === 0
            ? target.interfaceMtu
            : await measurePathMtu(
                runner,
                target.device,
                target.peerLinkLocal,
                target.interfaceMtu,
              );
        if (mtu === null) this.entries.delete(target.device);
        else this.entries.set(target.device, { key: mtuKey(target), mtu, measuredAt: now });
      }),
    );
  }

  /** What the last probes of `device` measured (nulls when never probed). */
  recall(device: string): [rttMs: number | null, mtuMeasured: number | null] {
    return [this.rtts.get(device) ?? null, this.entries.get(device)?.mtu ?? null];
  }
}
