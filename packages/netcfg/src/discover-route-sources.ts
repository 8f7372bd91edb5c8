// What a node's route sources find on its host, from `ip -json addr` and `ip -json route`
// (parsed by parse-ip-json.ts): connected prefixes of selected interfaces, kernel routes of
// selected protocols, and Cilium's own pod CIDR. Pure: the agent runs the commands and calls
// this on every pass, so the result only ever reflects what is there now (level-triggered).
import type { TRouteHostState } from "./derive-route-policy";
import type { TDiscoveredRoute } from "./judge-route-candidates";
import { isAddressInCidr, parseCidr } from "./parse-cidr";
import type { TIpLinkAddresses, TIpRoute } from "./parse-ip-json";
import { isInterfaceSelected, type TNodeRouting, type TRouteCandidate } from "./route-sources";

/** The interface Cilium routes its pod CIDR into. */
export const CILIUM_HOST_INTERFACE = "cilium_host";

/**
 * Route protocol numbers FRR never redistributes as kernel routes: `redirect` and `kernel`
 * (zebra ignores them, ROUTING-NOTES §0.1) and FRR's own selfroutes (zebra 11, babel 42, bgp
 * 186 … srte 198, §0.2).
 */
const FRR_UNSEEN_PROTOCOLS = new Set([
  1,
  2,
  11,
  42,
  ...Array.from({ length: 13 }, (_, i) => 186 + i),
]);

/**
 * The kernel's own protocol names (iproute2's rt_protos without FRR's additions, which reuse
 * `static` for 196): the agent reads routes with `ip -N` and names them here, so a route FRR
 * installed (196) is never mistaken for an admin's `proto static` (4).
 */
const KERNEL_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: "unspec",
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  8: "gated",
  9: "ra",
  10: "mrt",
  11: "zebra",
  12: "bird",
  13: "dnrouted",
  14: "xorp",
  15: "ntk",
  16: "dhcp",
  18: "keepalived",
  42: "babel",
  99: "openr",
};

/** A route's protocol as a number (from `ip -N`, or a name from plain `ip`); null: unknown. */
function toProtocolNumber(protocol: string | null): number | null {
  if (protocol === null) return 3;
  if (/^\d+$/.test(protocol)) return Number(protocol);
  const entry = Object.entries(KERNEL_PROTOCOL_NAMES).find(([, name]) => name === protocol);
  return entry ? Number(entry[0]) : null;
}

/** A protocol's name for reports and selection (`static`, `bird`, ...; a number if unnamed). */
export function nameRouteProtocol(protocol: string | null): string {
  const number = toProtocolNumber(protocol);
  if (number === null) return protocol ?? "boot";
  return KERNEL_PROTOCOL_NAMES[number] ?? String(number);
}

function isSeenByFrr(protocol: string | null): boolean {
  const number = toProtocolNumber(protocol);
  return number === null || !FRR_UNSEEN_PROTOCOLS.has(number);
}

/** Input of discoverRouteSources. */
export interface TDiscoverRouteSourcesInput {
  routing: TNodeRouting;
  /** `ip -json addr show`, parsed. */
  links: readonly TIpLinkAddresses[];
  /** `ip -N -json route show table main` of both families, parsed (numeric protocols). */
  routes: readonly TIpRoute[];
  /** The node's attached (static) prefixes, for the IPv6 anchor check (§0.5). */
  advertisedPrefixes: readonly string[];
}

/** What the host holds for the node's sources. */
export interface TDiscoveredHost {
  /** Candidates, before judging. */
  routes: TDiscoveredRoute[];
  /** Selected interfaces present on the host (FRR's `match interface` list). */
  interfaceNames: string[];
  /**
   * Kernel routes FRR's `redistribute kernel` would see although their protocol is not
   * selected (FRR cannot match on the protocol): the agent denies those that would pass.
   */
  unselectedKernelRoutes: TDiscoveredRoute[];
  /** IPv6 attached prefixes the host routes through an interface FRR cannot see (§0.5). */
  anchorInterfaces: Record<string, string>;
}

/** True when the routing asks the agent to look at the host at all. */
export function isRouteDiscoveryActive(routing: TNodeRouting): boolean {
  const sources = routing.sources;
  return (
    sources.interfaces.length > 0 ||
    sources.kernelProtocols.length > 0 ||
    sources.ciliumPodCidr ||
    sources.speakers.length > 0
  );
}

// Operationally up as zebra sees it: administratively up with a carrier (tun devices such as
// wireguard-go report UNKNOWN). A DOWN kube-ipvs0 has no connected routes in FRR either.
function isOperational(link: TIpLinkAddresses): boolean {
  return link.isUp && (link.flags.includes("LOWER_UP") || link.operState === "UNKNOWN");
}

function isUsableAddress(address: TIpLinkAddresses["addresses"][number]): boolean {
  return address.scope !== "link" && address.scope !== "host";
}

function findPodCidrs(links: readonly TIpLinkAddresses[], routes: readonly TIpRoute[]) {
  const ciliumHost = links.find((link) => link.name === CILIUM_HOST_INTERFACE);
  if (!ciliumHost) return [];
  const own = ciliumHost.addresses.filter(isUsableAddress);
  // Only the route that contains cilium_host's own address is this node's pod CIDR; Cilium
  // routes other nodes' CIDRs into cilium_host too (tunnel mode), which must never be announced.
  return routes.filter((route) => {
    if (route.device !== CILIUM_HOST_INTERFACE || route.type !== "unicast") return false;
    // FRR's own anchor for the pod CIDR points into cilium_host too: not Cilium's route.
    const number = toProtocolNumber(route.protocol);
    if (number !== null && number !== 2 && FRR_UNSEEN_PROTOCOLS.has(number)) return false;
    const cidr = parseCidr(route.destination, { isHostBitsAllowed: true });
    const hostLength = cidr.family === "ipv4" ? 32 : 128;
    return (
      cidr.prefixLength < hostLength &&
      own.some((address) => isAddressInCidr(address.address, cidr))
    );
  });
}

/** Discovers the candidates of a node's sources on its host. Deterministic. */
export function discoverRouteSources(input: TDiscoverRouteSourcesInput): TDiscoveredHost {
  const { routing, links, routes } = input;
  const sources = routing.sources;
  const found: TDiscoveredRoute[] = [];
  const interfaceNames = links
    .filter((link) => isInterfaceSelected(link.name, sources))
    .map((link) => link.name)
    .sort();
  for (const link of links) {
    if (!interfaceNames.includes(link.name) || !isOperational(link)) continue;
    for (const address of link.addresses.filter(isUsableAddress)) {
      found.push({
        prefix: parseCidr(address.cidr, { isHostBitsAllowed: true }).text,
        source: "connected",
        interface: link.name,
        protocol: null,
        speaker: null,
      });
    }
  }
  const unselectedKernelRoutes: TDiscoveredRoute[] = [];
  if (sources.kernelProtocols.length > 0) {
    for (const route of routes) {
      if (route.type !== "unicast" || !isSeenByFrr(route.protocol)) continue;
      const protocol = nameRouteProtocol(route.protocol);
      const candidate: TDiscoveredRoute = {
        prefix: parseCidr(route.destination, { isHostBitsAllowed: true }).text,
        source: "kernel",
        interface: route.device,
        protocol,
        speaker: null,
      };
      const number = String(toProtocolNumber(route.protocol) ?? "");
      const isSelected =
        sources.kernelProtocols.includes(protocol) || sources.kernelProtocols.includes(number);
      (isSelected ? found : unselectedKernelRoutes).push(candidate);
    }
  }
  if (sources.ciliumPodCidr) {
    const seen = new Set<string>();
    for (const route of findPodCidrs(links, routes)) {
      const prefix = parseCidr(route.destination, { isHostBitsAllowed: true }).text;
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      found.push({
        prefix,
        source: "cilium",
        interface: CILIUM_HOST_INTERFACE,
        protocol: nameRouteProtocol(route.protocol),
        speaker: null,
      });
    }
  }
  const anchorInterfaces: Record<string, string> = {};
  for (const text of input.advertisedPrefixes) {
    const cidr = parseCidr(text, { isHostBitsAllowed: true });
    if (cidr.family !== "ipv6") continue;
    const hostRoute = routes.find(
      (route) =>
        route.type === "unicast" &&
        toProtocolNumber(route.protocol) === 2 &&
        route.device !== null &&
        parseCidr(route.destination, { isHostBitsAllowed: true }).text === cidr.text,
    );
    if (hostRoute?.device) anchorInterfaces[cidr.text] = hostRoute.device;
  }
  return { routes: found, interfaceNames, unselectedKernelRoutes, anchorInterfaces };
}

/** Refusals FRR's ranges alone would not enforce: the agent denies those prefixes by name. */
const AGENT_ENFORCED: ReadonlySet<string> = new Set(["prefix-cap", "always-denied"]);

/**
 * The judged candidates as the FRR host state: selected interfaces, announced pod CIDRs, and
 * the prefixes FRR must deny by exact match (over the cap, the underlay, unselected kernel
 * protocols), never one that another source announces.
 */
export function toRouteHostState(
  host: Pick<TDiscoveredHost, "interfaceNames" | "anchorInterfaces">,
  candidates: readonly TRouteCandidate[],
  unselectedKernel: readonly TRouteCandidate[],
): TRouteHostState {
  const announced = new Set(
    candidates.filter((c) => c.verdict === "announced").map((c) => c.prefix),
  );
  const refused = new Set<string>();
  for (const candidate of candidates) {
    if (candidate.refusal && AGENT_ENFORCED.has(candidate.refusal)) refused.add(candidate.prefix);
  }
  // An unselected kernel route FRR would let through (it is in a range and not denied).
  for (const candidate of unselectedKernel) {
    if (candidate.verdict === "announced") refused.add(candidate.prefix);
  }
  for (const prefix of announced) refused.delete(prefix);
  return {
    interfaceNames: [...host.interfaceNames],
    podCidrs: candidates
      .filter((c) => c.source === "cilium" && c.verdict === "announced")
      .map((c) => ({ prefix: c.prefix, interface: c.interface ?? CILIUM_HOST_INTERFACE })),
    refusedPrefixes: [...refused].sort(),
    announcedPrefixes: [...announced].sort(),
    anchorInterfaces: { ...host.anchorInterfaces },
  };
}
