// The typed FRR model of one node, derived from its desired config and tunnels. Rendering is a
// separate step (render-frr-config.ts) so tests and the planner can compare models, and the
// text stays a pure function of this value.
import type { TDesiredNodeConfig } from "./config";
import { deriveTunnels, type TTunnel } from "./derive-tunnels";
import { getPoolRange } from "./allocate-identity";
import { parseCidr, type TParsedCidr } from "./parse-cidr";
import { sortCidrs } from "./validate-prefixes";
import {
  appendMeshRangeEntries,
  deriveRoutePolicy,
  type TFrrRoutePolicy,
  type TRouteHostState,
} from "./derive-route-policy";

/** Name of the BGP peer group every tunnel neighbor belongs to. */
/**
 * Send a newly established peer its routes after 100 ms. FRR's default batches peers that come
 * up together by waiting 1 s plus 50 ms per configured peer (10 s from 180 peers on), which
 * made a joining node wait for routes long after its sessions were up.
 */
export const FRR_COALESCE_TIME_MS = 100;

export const FRR_PEER_GROUP = "MESH";
/** Name of the BFD profile holding the mesh's BFD timers (plan/parse-frr-running-config reads it too). */
export const FRR_BFD_PROFILE_NAME = "meshover";
/** As-path list matching the routes this node originates (an empty AS path). */
export const FRR_OWN_ROUTES_AS_PATH = "MO-OWN";
/** Outbound route map of a node that carries no transit: only its own routes leave it. */
export const FRR_NO_TRANSIT_ROUTE_MAP = "MO-NO-TRANSIT";
/** As-path list (a filter-list inbound on the mesh sessions) denying paths over the limit. */
export const FRR_PATH_LIMIT_AS_PATH = "MO-PATH-LIMIT";
/** Prefix-list names, applied inbound and outbound on every session. */
export const FRR_PREFIX_LIST_V4 = "MO-MESH-V4";
/** See FRR_PREFIX_LIST_V4. */
export const FRR_PREFIX_LIST_V6 = "MO-MESH-V6";
/**
 * Administrative distance of the blackhole anchor routes: the highest usable, so any real
 * route (connected LAN, pod route, VM bridge) to the prefix wins and the anchor only catches
 * what nothing else routes, instead of letting it leak out of the default route.
 */
export const FRR_ANCHOR_DISTANCE = 254;

/** One prefix-list line. */
export interface TFrrPrefixListEntry {
  seq: number;
  action: "permit" | "deny";
  prefix: string;
  /** `ge` length: match this prefix and any more specific one down to this length. */
  ge: number | null;
  /** `le` length: match this prefix and more specifics up to this length (route sources). */
  le?: number | null;
}

/** One address family of the BGP instance. */
export interface TFrrAddressFamily {
  /** `network` statements: what this node originates. */
  networks: string[];
  prefixListName: string;
  prefixList: TFrrPrefixListEntry[];
}

/** One BGP neighbor: an unnumbered session over a tunnel interface. */
export interface TFrrNeighbor {
  interfaceName: string;
  /** The peer's node name, shown in `show bgp neighbors`. */
  description: string;
}

/**
 * A BFD session configured in bfdd itself, one per tunnel, between the two fixed link-local
 * addresses (DESIGN.md: `fe80::<index>`). It starts when FRR and the tunnel do, not when bgpd
 * registers the session on Established (after which the three-way handshake at the 1 s down-state
 * rate took 1-3.5 s, leaving a session that already routed traffic unprotected). bgpd's
 * registration on Established finds the same session (peer and interface) and is told at once
 * that it is up; for that the bfd block precedes `router bgp` in frr.conf (renderFrrConfig).
 * No `local-address`: bfdd would bind to it when the interface appears, which on a fresh node
 * is before the agent adds the address, and the session would never send.
 */
export interface TFrrBfdPeer {
  interfaceName: string;
  /** The peer's link-local address on the tunnel, e.g. `fe80::2`. */
  peerAddress: string;
}

/** A tunnel interface stanza: router advertisements so unnumbered BGP finds the peer fast. */
export interface TFrrInterface {
  name: string;
  raIntervalSec: number;
}

/** The typed FRR configuration of one node. */
export interface TFrrConfig {
  hostname: string;
  /** Syslog level, or null for no log line. */
  logSyslogLevel: "informational" | "notifications" | "warnings" | "errors" | "debugging" | null;
  asn: number;
  routerId: string;
  peerGroup: string;
  bfd: { profile: string; intervalMs: number; multiplier: number };
  /** BGP update-group coalesce time: how long before a newly established peer gets routes. */
  coalesceTimeMs: number;
  /** Blackhole routes (distance FRR_ANCHOR_DISTANCE) that let `network` match advertised prefixes. */
  anchorRoutes: string[];
  interfaces: TFrrInterface[];
  neighbors: TFrrNeighbor[];
  /** Static BFD sessions, one per neighbor (same order), with the profile's timers. */
  bfdPeers: TFrrBfdPeer[];
  ipv4: TFrrAddressFamily;
  ipv6: TFrrAddressFamily;
  /**
   * Outbound route map on every session, or null. Set (FRR_NO_TRANSIT_ROUTE_MAP) when the node
   * carries no transit: it announces only what it originates, so no pair routes through it.
   */
  outboundRouteMap: string | null;
  /**
   * Longest AS path accepted from the mesh (an inbound filter-list on every session), or null
   * for any length. See ZMeshSettings.maxAsPathLength.
   */
  maxAsPathLength: number | null;
  /** Route sources and policy (#14), null when the mesh uses none. */
  routePolicy: TFrrRoutePolicy | null;
}

/** Options of deriveFrrConfig. */
export interface TDeriveFrrConfigOptions {
  /** Tunnels already derived for the config (deriveTunnels); derived here when omitted. */
  tunnels?: readonly TTunnel[];
  /** Syslog level; "informational" by default, null for none. */
  logSyslogLevel?: TFrrConfig["logSyslogLevel"];
  /** What the agent discovered on the host (interfaces, pod CIDRs, refusals); none by default. */
  routeHost?: TRouteHostState;
}

/** A name FRR accepts as one word in hostname/description lines. */
function toFrrWord(name: string): string {
  const word = name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 63);
  return word.length > 0 ? word : "node";
}

function buildPrefixList(pool: string, prefixes: readonly TParsedCidr[], hostLength: number) {
  const poolCidr = getPoolRange(pool).pool;
  const defaultRoute = hostLength === 32 ? "0.0.0.0/0" : "::/0";
  const isDefaultAdvertised = prefixes.some((cidr) => cidr.prefixLength === 0);
  const entries: TFrrPrefixListEntry[] = [];
  // The default route is refused unless an admin explicitly made some node an exit node.
  if (!isDefaultAdvertised) {
    entries.push({ seq: 5, action: "deny", prefix: defaultRoute, ge: null });
  }
  entries.push({ seq: 10, action: "permit", prefix: poolCidr, ge: hostLength });
  prefixes.forEach((cidr, i) => {
    entries.push({ seq: 20 + i * 5, action: "permit", prefix: cidr.text, ge: null });
  });
  return entries;
}

/**
 * Derives the FRR model of a node: eBGP with every peer over its tunnel interface (unnumbered,
 * extended next-hop, BFD), announcing the node /32 and /128 and the node's advertised prefixes,
 * and a prefix list per family, applied in and out, that permits only node host routes from
 * the pools and the prefixes some node of the mesh advertises (so the underlay, the default
 * route and anything else never pass). Deterministic: neighbors by peer index, prefixes sorted.
 */
export function deriveFrrConfig(
  config: TDesiredNodeConfig,
  options: TDeriveFrrConfigOptions = {},
): TFrrConfig {
  const tunnels = options.tunnels ?? deriveTunnels(config);
  const own = sortCidrs(config.self.advertisedPrefixes.map((text) => parseCidr(text)));
  // Every prefix the mesh advertises, deduplicated (anycast prefixes appear on several nodes).
  const meshByText = new Map<string, TParsedCidr>();
  for (const text of [
    ...config.self.advertisedPrefixes,
    ...config.peers.flatMap((peer) => peer.advertisedPrefixes),
    // Prefixes of nodes reached only through others (issue #17): transit must let them in.
    ...(config.remotePrefixes ?? []),
  ]) {
    const cidr = parseCidr(text, { isHostBitsAllowed: true });
    meshByText.set(cidr.text, cidr);
  }
  const mesh = sortCidrs([...meshByText.values()]);
  const ownV4 = own.filter((cidr) => cidr.family === "ipv4");
  const ownV6 = own.filter((cidr) => cidr.family === "ipv6");
  const sortedTunnels = [...tunnels].sort((a, b) => a.peerIndex - b.peerIndex);
  const routePolicy = deriveRoutePolicy(config, options.routeHost);
  const interfaceAnchored = new Set(routePolicy?.interfaceAnchors.map((anchor) => anchor.prefix));
  return {
    hostname: toFrrWord(config.self.name),
    logSyslogLevel: options.logSyslogLevel === undefined ? "informational" : options.logSyslogLevel,
    asn: config.self.asn,
    routerId: config.self.ipv4,
    peerGroup: FRR_PEER_GROUP,
    coalesceTimeMs: FRR_COALESCE_TIME_MS,
    bfd: {
      profile: FRR_BFD_PROFILE_NAME,
      intervalMs: config.settings.bfd.intervalMs,
      multiplier: config.settings.bfd.multiplier,
    },
    anchorRoutes: own
      .filter((cidr) => cidr.prefixLength !== 0 && !interfaceAnchored.has(cidr.text))
      .map((cidr) => cidr.text),
    interfaces: sortedTunnels.map((tunnel) => ({ name: tunnel.interfaceName, raIntervalSec: 1 })),
    neighbors: sortedTunnels.map((tunnel) => ({
      interfaceName: tunnel.interfaceName,
      description: toFrrWord(tunnel.peerName),
    })),
    bfdPeers: sortedTunnels.map((tunnel) => ({
      interfaceName: tunnel.interfaceName,
      peerAddress: tunnel.peerLinkLocal,
    })),
    ipv4: {
      networks: sortCidrs([parseCidr(`${config.self.ipv4}/32`), ...ownV4]).map((c) => c.text),
      prefixListName: FRR_PREFIX_LIST_V4,
      prefixList: appendMeshRangeEntries(
        config,
        "ipv4",
        buildPrefixList(
          config.settings.ipv4Pool,
          mesh.filter((cidr) => cidr.family === "ipv4"),
          32,
        ),
      ),
    },
    ipv6: {
      networks: sortCidrs([parseCidr(`${config.self.ipv6}/128`), ...ownV6]).map((c) => c.text),
      prefixListName: FRR_PREFIX_LIST_V6,
      prefixList: appendMeshRangeEntries(
        config,
        "ipv6",
        buildPrefixList(
          config.settings.ipv6Pool,
          mesh.filter((cidr) => cidr.family === "ipv6"),
          128,
        ),
      ),
    },
    outboundRouteMap: config.self.canTransit === false ? FRR_NO_TRANSIT_ROUTE_MAP : null,
    maxAsPathLength: config.settings.maxAsPathLength ?? null,
    routePolicy,
  };
}
