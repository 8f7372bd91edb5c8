// Per-peer health for reports and `status`: WireGuard handshake and counters, BGP and BFD
// state from FRR, and RTT and path MTU from the probes (peer-probes.ts).
import {
  deriveRotationTunnels,
  deriveTunnels,
  findTunnelOfLinkLocal,
  parseBfdPeers,
  parseBgpNeighbors,
  type TDesiredNodeConfig,
  type TPeerHealth,
  type TRotationTunnel,
} from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TKeyPair } from "../state/state-files";
import type { TObservation } from "../host/observe-host";
import type { PeerProbeCache } from "./peer-probes";
import type { DirectPathWatch } from "./watch-direct-paths";

/** BGP and BFD state per tunnel interface. */
export interface TRoutingHealth {
  bgp: Map<
    string,
    {
      state: string;
      uptimeSec: number | null;
      prefixes: number | null;
      prefixesSent: number | null;
      /** BFD as bgpd sees it (Up, Down, Unknown), null without BFD. */
      bfdStatus: string | null;
    }
  >;
  bfd: Map<string, string>;
}

/** BGP state per tunnel interface from `show bgp neighbors json` (throws on bad text). */
export function readBgpHealth(neighborsJson: string): TRoutingHealth["bgp"] {
  const sum = ({ ipv4, ipv6 }: { ipv4: number | null; ipv6: number | null }) =>
    ipv4 === null && ipv6 === null ? null : (ipv4 ?? 0) + (ipv6 ?? 0);
  return new Map(
    parseBgpNeighbors(neighborsJson).map((neighbor) => [
      neighbor.name,
      {
        state: neighbor.state,
        uptimeSec: neighbor.uptimeMsec === null ? null : Math.floor(neighbor.uptimeMsec / 1000),
        prefixes: sum(neighbor.prefixesAccepted),
        prefixesSent: sum(neighbor.prefixesSent),
        bfdStatus: neighbor.bfdStatus,
      },
    ]),
  );
}

/** Read BGP neighbor and BFD peer state from FRR (empty maps when FRR is off or down). */
export async function readRoutingHealth(frr: TFrrAdapter | null): Promise<TRoutingHealth> {
  const health: TRoutingHealth = { bgp: new Map(), bfd: new Map() };
  if (!frr) return health;
  // Both at once (a change report is on the cut → red path); a failure reads as unknown below.
  const [bgpText, bfdText] = await Promise.all([
    frr.show("show bgp neighbors json").catch(() => null),
    frr.show("show bfd peers json").catch(() => null),
  ]);
  try {
    health.bgp = readBgpHealth(bgpText ?? "");
  } catch {
    // FRR not answering: report the state as unknown.
  }
  try {
    for (const peer of parseBfdPeers(bfdText ?? "")) {
      // bgpd's session to a peer it reached before it knew the interface lists none.
      const device = peer.interface ?? findTunnelOfLinkLocal(peer.peer);
      if (device) health.bfd.set(device, peer.status);
    }
  } catch {
    // As above.
  }
  return health;
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
  /** Tracks tunnels still waiting for a first handshake (directPathError); none: always null. */
  paths?: DirectPathWatch;
}

/** Health of every peer's tunnel. */
export async function collectPeerHealth(options: TCollectHealthOptions): Promise<TPeerHealth[]> {
  const { config, observation, routing, runner } = options;
  const tunnels = deriveTunnels(config);
  options.paths?.retain(new Set(tunnels.map((tunnel) => tunnel.peerId)));
  const looked = tunnels.map((tunnel) => {
    const device = tunnel.interfaceName;
    const link = observation.host.links.find((candidate) => candidate.name === device);
    const counters = observation.wireguard.counters.find((c) => c.device === device);
    return { tunnel, link, counters, hasHandshake: (counters?.latestHandshake ?? 0) > 0 };
  });
  // Only a tunnel with a handshake is probed; all of them side by side (runAll, started by the
  // command helper: a report at 12 peers runs 22 pings).
  if (options.isProbing) {
    await options.probes.measureAll(
      runner,
      looked.flatMap(({ tunnel, link, counters, hasHandshake }) =>
        link && hasHandshake
          ? [
              {
                device: tunnel.interfaceName,
                peerLinkLocal: tunnel.peerLinkLocal,
                interfaceMtu: link.mtu,
                endpoint: counters?.endpoint ?? null,
              },
            ]
          : [],
      ),
      options.now,
    );
  }
  return looked.map(({ tunnel, link, counters, hasHandshake }): TPeerHealth => {
    const device = tunnel.interfaceName;
    const isUsable = link !== undefined && hasHandshake;
    // Only a tunnel that exists counts: one the agent failed to create is an apply error.
    const directPathError =
      link === undefined
        ? null
        : (options.paths?.observe(tunnel, hasHandshake, options.now) ?? null);
    const [rttMs, mtuMeasured] = isUsable ? options.probes.recall(device) : [null, null];
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
      directPathError,
    };
  });
}

/**
 * A running rotation's next tunnels that exist on the host, with their keys and handshakes: the
 * controller finishes the rotation when every pair has one (make-before-break).
 */
export function collectRotationTunnels(
  config: TDesiredNodeConfig,
  keys: TKeyPair,
  observation: Pick<TObservation, "wireguard">,
): TRotationTunnel[] {
  const nextPublicKey = keys.next?.publicKey ?? null;
  const tunnels = deriveRotationTunnels({
    config,
    nextPublicKey,
    presentTunnels: [],
    frrNeighbors: [],
    establishedNeighbors: [],
  });
  return tunnels.flatMap((tunnel) => {
    const counters = observation.wireguard.counters.find((c) => c.device === tunnel.interfaceName);
    if (tunnel.role !== "next" || !counters) return [];
    return [
      {
        peerId: tunnel.peerId,
        interface: tunnel.interfaceName,
        publicKey: tunnel.isNextKey && nextPublicKey ? nextPublicKey : keys.publicKey,
        peerPublicKey: counters.publicKey,
        handshakeAt:
          counters.latestHandshake > 0
            ? new Date(counters.latestHandshake * 1000).toISOString()
            : null,
      },
    ];
  });
}
