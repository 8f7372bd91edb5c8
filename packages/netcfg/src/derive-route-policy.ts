// The FRR side of route sources (#14): what a node picks up from its host and what the mesh
// admits from each node. Connected and kernel sources are `redistribute` through route-maps,
// so zebra and bgpd add and withdraw them on their own as addresses and routes come and go;
// only the Cilium pod CIDR (invisible to zebra, ROUTING-NOTES §0.1) and speakers need `network`
// or session lines. Every range is bound to its origin node's ASN on the way in.
import { compareText } from "./compare-text";
import type { TDesiredNodeConfig } from "./config";
import type { TFrrPrefixListEntry } from "./derive-frr-config";
import { getAddressBits, parseCidr, type TIpFamily, type TParsedCidr } from "./parse-cidr";
import {
  NEVER_ROUTED,
  isInterfaceSelected,
  type TAllowedRange,
  type TNodeRouting,
} from "./route-sources";
import { sortCidrs } from "./validate-prefixes";

/** What the agent found on the host that the FRR config depends on (empty on the controller). */
export interface TRouteHostState {
  /** Names of the host's interfaces: selectors (globs) expand to these in `match interface`. */
  interfaceNames: readonly string[];
  /** Pod CIDRs judged announced, with the interface the host routes them to (cilium_host). */
  podCidrs: readonly { prefix: string; interface: string }[];
  /**
   * Prefixes the agent refuses that FRR's ranges alone would let through (over the cap, the
   * underlay, a kernel route of a protocol not selected): denied by exact match.
   */
  refusedPrefixes: readonly string[];
  /**
   * Prefixes the agent judged announced. When the node's allowed ranges could hold more
   * prefixes than its cap, FRR permits exactly these (see isRangePermitCapSafe), so a prefix
   * over the cap is never announced, not even until the agent's next look.
   */
  announcedPrefixes: readonly string[];
  /**
   * Attached (static) prefixes the host already routes through an interface with a route FRR
   * cannot see (proto kernel): their anchor points there instead of a blackhole, which would
   * shadow an IPv6 route of metric 1024 (ROUTING-NOTES §0.5).
   */
  anchorInterfaces: Readonly<Record<string, string>>;
}

/** Host state of a node nothing was discovered on. */
export const EMPTY_ROUTE_HOST_STATE: TRouteHostState = {
  interfaceNames: [],
  podCidrs: [],
  refusedPrefixes: [],
  announcedPrefixes: [],
  anchorInterfaces: {},
};

/** A `bgp as-path access-list` line. */
export interface TFrrAsPathEntry {
  name: string;
  seq: number;
  action: "permit" | "deny";
  regex: string;
}

/** A named prefix-list of one family. */
export interface TFrrNamedPrefixList {
  name: string;
  family: TIpFamily;
  entries: TFrrPrefixListEntry[];
}

/** One route-map entry: all `matches` must hold; `sets` apply on permit. */
export interface TFrrRouteMapEntry {
  action: "permit" | "deny";
  seq: number;
  matches: string[];
  sets: string[];
}

/** A route-map. */
export interface TFrrRouteMap {
  name: string;
  entries: TFrrRouteMapEntry[];
}

/** A BGP speaker behind the node: a listen range, accept-only. */
export interface TFrrSpeaker {
  peerGroup: string;
  asn: number;
  listenRange: string;
  family: TIpFamily;
  maxPrefixes: number;
  routeMapIn: string;
  routeMapOut: string;
}

/** What one address family of `router bgp` gains. */
export interface TFrrRoutePolicyFamily {
  /** `network` lines for pod CIDRs (anchored on their interface). */
  networks: string[];
  redistribute: { protocol: "connected" | "kernel"; routeMap: string }[];
  /** Route-map binding each node's ranges to its ASN, inbound on the mesh peer group. */
  meshRouteMapIn: string | null;
}

/** The FRR route-source and policy model of one node. */
export interface TFrrRoutePolicy {
  /**
   * `bgp route-map delay-timer` in seconds when the node originates (FRR's default of 5 s
   * would hold every change of its source prefix-lists back that long), else null.
   */
  routeMapDelaySec: number | null;
  /** `ip route <prefix> <interface> 254`: anchors that point where the host's route points. */
  interfaceAnchors: { prefix: string; interface: string }[];
  asPathLists: TFrrAsPathEntry[];
  prefixLists: TFrrNamedPrefixList[];
  routeMaps: TFrrRouteMap[];
  speakers: TFrrSpeaker[];
  ipv4: TFrrRoutePolicyFamily;
  ipv6: TFrrRoutePolicyFamily;
}

/** Route-map that denies everything: what speakers get from the mesh. */
export const FRR_DENY_ALL_ROUTE_MAP = "MO-DENY-ALL";
/** Sequence of the explicit final deny of source route-maps. */
const FINAL_DENY_SEQ = 65535;
/** How long bgpd batches route-map and prefix-list changes before re-running them. */
export const FRR_ROUTE_MAP_DELAY_SEC = 1;

const FAMILIES: readonly TIpFamily[] = ["ipv4", "ipv6"];
const suffix = (family: TIpFamily) => (family === "ipv4" ? "V4" : "V6");
const matchPrefixList = (family: TIpFamily, name: string) =>
  `match ${family === "ipv4" ? "ip" : "ipv6"} address prefix-list ${name}`;

/** The node's own source filter (withheld and refused denied, ranges permitted). */
export const frrSourcePrefixList = (family: TIpFamily) => `MO-SRC-${suffix(family)}`;
const rangePrefixList = (index: number, family: TIpFamily) => `MO-RANGE-${index}-${suffix(family)}`;
const originAsPath = (index: number) => `MO-ORIGIN-${index}`;

interface TParsedRange {
  cidr: TParsedCidr;
  maxLength: number;
}

function parseRanges(ranges: readonly TAllowedRange[], family: TIpFamily): TParsedRange[] {
  const bits = getAddressBits(family);
  const parsed = ranges
    .map((range) => ({
      cidr: parseCidr(range.prefix, { isHostBitsAllowed: true }),
      maxLength: Math.min(range.maxLength, bits),
    }))
    .filter((range) => range.cidr.family === family && range.maxLength >= range.cidr.prefixLength);
  const byKey = new Map(parsed.map((range) => [`${range.cidr.text} ${range.maxLength}`, range]));
  return [...byKey.values()].sort(
    (a, b) =>
      (a.cidr.network === b.cidr.network ? 0 : a.cidr.network < b.cidr.network ? -1 : 1) ||
      a.cidr.prefixLength - b.cidr.prefixLength ||
      a.maxLength - b.maxLength,
  );
}

/**
 * True when the node's allowed ranges cannot hold more prefixes than its cap (with its
 * attached prefixes counted too): FRR may then permit whole ranges and pick a new address up
 * the moment zebra sees it. Otherwise FRR permits exactly the prefixes the agent judged
 * announced, so the cap holds at every instant (a flood of addresses is refused before FRR
 * sees it, at the cost of announcing a new prefix after the agent's next looks).
 */
export function isRangePermitCapSafe(
  routing: Pick<TNodeRouting, "allowedRanges" | "maxPrefixes">,
  attachedCount = 0,
): boolean {
  let capacity = attachedCount;
  for (const family of FAMILIES) {
    for (const range of parseRanges(routing.allowedRanges, family)) {
      // Prefixes of lengths prefixLength..maxLength inside the range: 2^(n+1) - 1.
      const span = range.maxLength - range.cidr.prefixLength;
      capacity += span >= 52 ? Number.MAX_SAFE_INTEGER : 2 ** (span + 1) - 1;
      if (capacity > routing.maxPrefixes) return false;
    }
  }
  return capacity <= routing.maxPrefixes;
}

function toRangeEntry(range: TParsedRange, seq: number): TFrrPrefixListEntry {
  return {
    seq,
    action: "permit",
    prefix: range.cidr.text,
    ge: null,
    le: range.maxLength > range.cidr.prefixLength ? range.maxLength : null,
  };
}

/**
 * The mesh prefix-list (in and out on every tunnel) with the entries dynamic sources need
 * appended: every node's allowed ranges with their length bound (`le`). Which node may use
 * which range is the origin route-map's job.
 */
export function appendMeshRangeEntries(
  config: TDesiredNodeConfig,
  family: TIpFamily,
  entries: TFrrPrefixListEntry[],
): TFrrPrefixListEntry[] {
  const ranges = [
    ...(config.routing.mayOriginate ? config.routing.allowedRanges : []),
    ...config.peers.flatMap((peer) => peer.allowedRanges),
    ...(config.remoteRanges ?? []).flatMap((remote) => remote.allowedRanges),
  ];
  const firstSeq = Math.max(0, ...entries.map((entry) => entry.seq)) + 5;
  const added = parseRanges(ranges, family).map((range, i) =>
    toRangeEntry(range, firstSeq + i * 5),
  );
  return [...entries, ...added];
}

function buildSourcePrefixList(
  config: TDesiredNodeConfig,
  host: TRouteHostState,
  family: TIpFamily,
): TFrrNamedPrefixList {
  const bits = getAddressBits(family);
  const entries: TFrrPrefixListEntry[] = [];
  const add = (action: "permit" | "deny", prefix: string, le: number | null) =>
    entries.push({ seq: (entries.length + 1) * 5, action, prefix, ge: null, le });
  const held = [...config.routing.withheld, ...host.refusedPrefixes]
    .map((text) => parseCidr(text, { isHostBitsAllowed: true }))
    .filter((cidr) => cidr.family === family);
  const unique = new Map(held.map((cidr) => [cidr.text, cidr]));
  for (const cidr of sortCidrs([...unique.values()])) add("deny", cidr.text, null);
  if (!config.routing.exitNode) add("deny", family === "ipv4" ? "0.0.0.0/0" : "::/0", null);
  const pool = parseCidr(family === "ipv4" ? config.settings.ipv4Pool : config.settings.ipv6Pool, {
    isHostBitsAllowed: true,
  });
  for (const cidr of [pool, ...NEVER_ROUTED.map((range) => range.cidr)]) {
    if (cidr.family !== family) continue;
    add("deny", cidr.text, cidr.prefixLength < bits ? bits : null);
  }
  const ranges = parseRanges(config.routing.allowedRanges, family);
  if (isRangePermitCapSafe(config.routing, config.self.advertisedPrefixes.length)) {
    for (const range of ranges) {
      const entry = toRangeEntry(range, 0);
      add("permit", entry.prefix, entry.le ?? null);
    }
  } else {
    const isInRange = (cidr: TParsedCidr) =>
      ranges.some(
        (range) =>
          cidr.prefixLength >= range.cidr.prefixLength &&
          cidr.prefixLength <= range.maxLength &&
          range.cidr.network <= cidr.network &&
          cidr.last <= range.cidr.last,
      );
    const announced = host.announcedPrefixes
      .map((text) => parseCidr(text, { isHostBitsAllowed: true }))
      .filter((cidr) => cidr.family === family && !unique.has(cidr.text) && isInRange(cidr));
    const exact = new Map(announced.map((cidr) => [cidr.text, cidr]));
    for (const cidr of sortCidrs([...exact.values()])) add("permit", cidr.text, null);
  }
  return { name: frrSourcePrefixList(family), family, entries };
}

/**
 * Derives the route-source and policy part of a node's FRR config, or null when neither the
 * node nor any peer uses route sources (the config is then exactly what it was before them).
 */
export function deriveRoutePolicy(
  config: TDesiredNodeConfig,
  host: TRouteHostState = EMPTY_ROUTE_HOST_STATE,
): TFrrRoutePolicy | null {
  const routing = config.routing;
  const sources = routing.sources;
  const isOriginating = routing.mayOriginate && routing.allowedRanges.length > 0;
  const rangedNodes = [
    ...(isOriginating
      ? [{ index: config.self.index, asn: config.self.asn, ranges: routing.allowedRanges }]
      : []),
    ...[...config.peers, ...(config.remoteRanges ?? [])]
      .filter((node) => node.allowedRanges.length > 0)
      .map((node) => ({ index: node.index, asn: node.asn, ranges: node.allowedRanges })),
  ].sort((a, b) => a.index - b.index);
  const ownPrefixes = new Set(
    config.self.advertisedPrefixes.map((text) => parseCidr(text, { isHostBitsAllowed: true }).text),
  );
  const staticAnchors = Object.entries(host.anchorInterfaces)
    .map(([prefix, iface]) => ({
      prefix: parseCidr(prefix, { isHostBitsAllowed: true }).text,
      interface: iface,
    }))
    .filter((anchor) => ownPrefixes.has(anchor.prefix))
    .sort((a, b) => compareText(a.prefix, b.prefix));
  if (rangedNodes.length === 0 && sources.speakers.length === 0 && staticAnchors.length === 0) {
    return null;
  }

  const policy: TFrrRoutePolicy = {
    routeMapDelaySec: isOriginating ? FRR_ROUTE_MAP_DELAY_SEC : null,
    interfaceAnchors: [],
    asPathLists: [],
    prefixLists: [],
    routeMaps: [],
    speakers: [],
    ipv4: { networks: [], redistribute: [], meshRouteMapIn: null },
    ipv6: { networks: [], redistribute: [], meshRouteMapIn: null },
  };
  const interfaces = [...new Set(host.interfaceNames)]
    .filter((name) => isInterfaceSelected(name, sources))
    .sort();

  for (const family of FAMILIES) {
    const af = policy[family];
    // Origin binding: a node's range is accepted only with that node's ASN last in the path.
    const nodes = rangedNodes.filter((node) => parseRanges(node.ranges, family).length > 0);
    if (nodes.length > 0) {
      const name = `MO-ORIGIN-${suffix(family)}`;
      const entries: TFrrRouteMapEntry[] = [];
      for (const node of nodes) {
        const list = rangePrefixList(node.index, family);
        policy.prefixLists.push({
          name: list,
          family,
          entries: parseRanges(node.ranges, family).map((range, i) =>
            toRangeEntry(range, (i + 1) * 5),
          ),
        });
        entries.push({
          action: "permit",
          seq: 0,
          matches: [matchPrefixList(family, list), `match as-path ${originAsPath(node.index)}`],
          sets: [],
        });
      }
      for (const node of nodes) {
        const list = rangePrefixList(node.index, family);
        entries.push({
          action: "deny",
          seq: 0,
          matches: [matchPrefixList(family, list)],
          sets: [],
        });
      }
      // Node host routes and attached prefixes: bounded by the mesh prefix-list already.
      entries.push({ action: "permit", seq: 0, matches: [], sets: [] });
      entries.forEach((entry, i) => (entry.seq = (i + 1) * 10));
      policy.routeMaps.push({ name, entries });
      af.meshRouteMapIn = name;
    }

    if (!isOriginating) continue;
    const ownRanges = parseRanges(routing.allowedRanges, family);
    const speakers = sources.speakers.filter(
      (speaker) => parseCidr(speaker.listenRange, { isHostBitsAllowed: true }).family === family,
    );
    if (ownRanges.length === 0 && speakers.length === 0) continue;
    const sourceList = buildSourcePrefixList(config, host, family);
    policy.prefixLists.push(sourceList);
    const sourceMap = (protocol: "connected" | "kernel", matches: string[][]) => {
      const name = `MO-SRC-${protocol.toUpperCase()}-${suffix(family)}`;
      const entries: TFrrRouteMapEntry[] = matches.map((extra, i) => ({
        action: "permit",
        seq: (i + 1) * 10,
        matches: [...extra, matchPrefixList(family, sourceList.name)],
        sets: [],
      }));
      entries.push({ action: "deny", seq: FINAL_DENY_SEQ, matches: [], sets: [] });
      policy.routeMaps.push({ name, entries });
      af.redistribute.push({ protocol, routeMap: name });
    };
    if (ownRanges.length > 0 && interfaces.length > 0) {
      sourceMap(
        "connected",
        interfaces.map((name) => [`match interface ${name}`]),
      );
    }
    if (ownRanges.length > 0 && sources.kernelProtocols.length > 0) sourceMap("kernel", [[]]);
    for (const pod of host.podCidrs) {
      const cidr = parseCidr(pod.prefix, { isHostBitsAllowed: true });
      if (cidr.family !== family || af.networks.includes(cidr.text)) continue;
      af.networks.push(cidr.text);
      policy.interfaceAnchors.push({ prefix: cidr.text, interface: pod.interface });
    }
  }

  sources.speakers.forEach((speaker, i) => {
    const family = parseCidr(speaker.listenRange, { isHostBitsAllowed: true }).family;
    const peerGroup = `MO-SPK-${i + 1}`;
    const isAccepted = isOriginating && parseRanges(routing.allowedRanges, family).length > 0;
    const routeMapIn = isAccepted ? `${peerGroup}-IN` : FRR_DENY_ALL_ROUTE_MAP;
    if (isAccepted) {
      policy.routeMaps.push({
        name: routeMapIn,
        entries: [
          {
            action: "permit",
            seq: 10,
            matches: [matchPrefixList(family, frrSourcePrefixList(family))],
            // The speaker's ASN goes, so the mesh sees this node as the origin of its ranges.
            sets: [`set as-path exclude ${speaker.asn}`],
          },
          { action: "deny", seq: FINAL_DENY_SEQ, matches: [], sets: [] },
        ],
      });
    }
    policy.speakers.push({
      peerGroup,
      asn: speaker.asn,
      listenRange: parseCidr(speaker.listenRange, { isHostBitsAllowed: true }).text,
      family,
      maxPrefixes: speaker.maxPrefixes,
      routeMapIn,
      routeMapOut: FRR_DENY_ALL_ROUTE_MAP,
    });
  });
  if (policy.speakers.length > 0) {
    policy.routeMaps.push({
      name: FRR_DENY_ALL_ROUTE_MAP,
      entries: [{ action: "deny", seq: 10, matches: [], sets: [] }],
    });
  }

  for (const node of rangedNodes) {
    policy.asPathLists.push({
      name: originAsPath(node.index),
      seq: 5,
      action: "permit",
      regex: `_${node.asn}$`,
    });
  }
  policy.interfaceAnchors.push(...staticAnchors);
  return policy;
}
