// Probes through a tunnel: RTT to the peer's link-local and the path MTU found with DF pings,
// cached per tunnel so reports without probing repeat the last figures.
import type { TRunner } from "../exec/run-command";

/** Round-trip time in ms to the peer's link-local over the tunnel, null when no answer. */
export async function probeRtt(
  runner: TRunner,
  device: string,
  peerLinkLocal: string,
): Promise<number | null> {
  const result = await runner.run(
    ["ping", "-6", "-n", "-c", "1", "-W", "1", `${peerLinkLocal}%${device}`],
    {
      timeoutMs: 3000,
    },
  );
  const match = /time[=<]([\d.]+) ms/.exec(result.stdout);
  return result.code === 0 && match?.[1] ? Number(match[1]) : null;
}

async function isProbeFitting(
  runner: TRunner,
  device: string,
  target: string,
  mtu: number,
): Promise<boolean> {
  // IPv6 header (40) + ICMPv6 header (8) around the payload; DF is implied for IPv6 and
  // `-M do` stops the local stack from fragmenting.
  const result = await runner.run(
    [
      "ping",
      "-6",
      "-n",
      "-c",
      "1",
      "-W",
      "1",
      "-M",
      "do",
      "-s",
      String(mtu - 48),
      `${target}%${device}`,
    ],
    { timeoutMs: 3000 },
  );
  return result.code === 0;
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

  /** The cached path MTU, or a fresh measurement. */
  async measureMtu(
    runner: TRunner,
    device: string,
    peerLinkLocal: string,
    interfaceMtu: number,
    endpoint: string | null,
    now: number,
  ): Promise<number | null> {
    const key = `${endpoint ?? "-"}/${interfaceMtu}`;
    const entry = this.entries.get(device);
    if (entry && entry.key === key && now - entry.measuredAt < this.maxAgeMs) return entry.mtu;
    const mtu = await measurePathMtu(runner, device, peerLinkLocal, interfaceMtu);
    if (mtu === null) this.entries.delete(device);
    else this.entries.set(device, { key, mtu, measuredAt: now });
    return mtu;
  }

  /** A fresh RTT probe, remembered for reports without probes. */
  async measureRtt(runner: TRunner, device: string, peerLinkLocal: string): Promise<number | null> {
    const rttMs = await probeRtt(runner, device, peerLinkLocal);
    this.rtts.set(device, rttMs);
    return rttMs;
  }

  /** What the last probes of `device` measured (nulls when never probed). */
  recall(device: string): [rttMs: number | null, mtuMeasured: number | null] {
    return [this.rtts.get(device) ?? null, this.entries.get(device)?.mtu ?? null];
  }
}
