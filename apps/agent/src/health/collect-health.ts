// Per-peer health for reports and `status`: WireGuard handshake and counters, BGP and BFD
// state from FRR, RTT over the tunnel and the path MTU measured with DF probes (cached).
import {
  deriveTunnels,
  parseBfdPeers,
  parseBgpNeighbors,
  getLinkLocalAddress,
  type TDesiredNodeConfig,
  type TPeerHealth,
} from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TObservation } from "../host/observe-host";

/** BGP and BFD state per tunnel interface. */
export interface TRoutingHealth {
  bgp: Map<
    string,
    {
      state: string;
      uptimeSec: number | null;
      prefixes: number | null;
      prefixesSent: number | null;
    }
  >;
  bfd: Map<string, string>;
}

/** Read BGP neighbor and BFD peer state from FRR (empty maps when FRR is off or down). */
export async function readRoutingHealth(frr: TFrrAdapter | null): Promise<TRoutingHealth> {
  const health: TRoutingHealth = { bgp: new Map(), bfd: new Map() };
  if (!frr) return health;
  try {
    for (const neighbor of parseBgpNeighbors(await frr.show("show bgp neighbors json"))) {
      const sum = ({ ipv4, ipv6 }: { ipv4: number | null; ipv6: number | null }) =>
        ipv4 === null && ipv6 === null ? null : (ipv4 ?? 0) + (ipv6 ?? 0);
      health.bgp.set(neighbor.name, {
        state: neighbor.state,
        uptimeSec: neighbor.uptimeMsec === null ? null : Math.floor(neighbor.uptimeMsec / 1000),
        prefixes: sum(neighbor.prefixesAccepted),
        prefixesSent: sum(neighbor.prefixesSent),
      });
    }
  } catch {
    // FRR not answering: report the state as unknown.
  }
  try {
    for (const peer of parseBfdPeers(await frr.show("show bfd peers json"))) {
      if (peer.interface) health.bfd.set(peer.interface, peer.status);
    }
  } catch {
    // As above.
  }
  return health;
}

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

/** Options of collectPeerHealth. */
export interface TCollectHealthOptions {
  config: TDesiredNodeConfig;
  observation: TObservation;
  routing: TRoutingHealth;
  runner: TRunner;
  probes: PeerProbeCache;
  /**
   * Probe RTT and MTU now; otherwise repeat what the last probes measured (a report right
   * after a change skips the pings, and the dashboard should not blank RTT and MTU meanwhile).
   */
  isProbing: boolean;
  now: number;
}

/** Health of every peer's tunnel. */
export async function collectPeerHealth(options: TCollectHealthOptions): Promise<TPeerHealth[]> {
  const { config, observation, routing, runner } = options;
  return Promise.all(
    deriveTunnels(config).map(async (tunnel) => {
      const device = tunnel.interfaceName;
      const link = observation.host.links.find((candidate) => candidate.name === device);
      const counters = observation.wireguard.counters.find((c) => c.device === device);
      const peerLinkLocal = getLinkLocalAddress(tunnel.peerIndex);
      const hasHandshake = (counters?.latestHandshake ?? 0) > 0;
      const isUsable = link !== undefined && hasHandshake;
      const [rttMs, mtuMeasured] = !isUsable
        ? [null, null]
        : options.isProbing
          ? [
              await options.probes.measureRtt(runner, device, peerLinkLocal),
              await options.probes.measureMtu(
                runner,
                device,
                peerLinkLocal,
                link.mtu,
                counters?.endpoint ?? null,
                options.now,
              ),
            ]
          : options.probes.recall(device);
      const bgp = routing.bgp.get(device);
      return {
        peerId: tunnel.peerId,
        interface: device,
        peerPublicKey: counters?.publicKey ?? null,
        handshakeAt: hasHandshake
          ? new Date((counters?.latestHandshake ?? 0) * 1000).toISOString()
          : null,
        rxBytes: counters?.rxBytes ?? 0,
        txBytes: counters?.txBytes ?? 0,
        bgpState: bgp?.state ?? null,
        bgpUptimeSec: bgp?.uptimeSec ?? null,
        bfdState: routing.bfd.get(device) ?? null,
        prefixesReceived: bgp?.prefixes ?? null,
        prefixesSent: bgp?.prefixesSent ?? null,
        mtuConfigured: link?.mtu ?? null,
        mtuMeasured,
        rttMs,
      };
    }),
  );
}
