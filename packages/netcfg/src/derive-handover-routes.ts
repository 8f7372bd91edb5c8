// Handover routes (#14): a VIP moving make-before-break (added on the new holder, then removed
// from the old) must not lose the packets that reach the old holder after its address went.
// While a node holds a host prefix (a /32 or /128 on an interface it picks routes up from), its
// bgpd prefers its own redistributed path and installs no route to the other holder; when the
// address goes, the node has no route until bgpd has chosen and zebra installed the other
// holder's path (80 ms measured in the lab), and the peers still send it traffic meanwhile.
// So while another node announces the same prefix, the agent keeps a route to it through that
// node's tunnel in its own table (HANDOVER_TABLE), looked up just before main: unused while the
// address is local (the local table comes first), it carries the packets from the moment the
// address goes until the agent's next look removes it, by then bgpd's route is in main.
// Anycast prefixes get the same: when this node's copy goes, another holder takes its packets.
import { compareText } from "./compare-text";
import type { TDesiredNodeConfig } from "./config";
import { getPairSlot, getTunnelInterfaceName } from "./derive-tunnels";
import type { TRibRoute } from "./observe-routes";
import { parseCidr } from "./parse-cidr";
import type { TRouteCandidate } from "./route-sources";

/** The routing table handover routes live in (meshover's own; zebra does not read it). */
export const HANDOVER_TABLE = 4261;
/** Priority of the rule looking HANDOVER_TABLE up: after the local table, just before main. */
export const HANDOVER_RULE_PRIORITY = 32700;

/** One handover route: `prefix` through the tunnel `device` to another holder. */
export interface THandoverRoute {
  prefix: string;
  device: string;
}

/** A candidate that may move: a host prefix this node announces from an interface address. */
function isMovable(candidate: TRouteCandidate): boolean {
  if (candidate.verdict !== "announced" || candidate.source !== "connected") return false;
  const cidr = parseCidr(candidate.prefix, { isHostBitsAllowed: true });
  return cidr.prefixLength === (cidr.family === "ipv4" ? 32 : 128);
}

/** True when some candidate may need a handover route (the agent reads the RIB only then). */
export function hasMovablePrefixes(candidates: readonly TRouteCandidate[]): boolean {
  return candidates.some(isMovable);
}

/**
 * The handover routes for this node: for each movable prefix it announces that some peer's
 * path also carries, one route through the tunnel of the peer with the shortest AS path (the
 * holder itself, when it is a direct peer; ties go to the lowest peer index). Pure.
 */
export function deriveHandoverRoutes(
  config: TDesiredNodeConfig,
  candidates: readonly TRouteCandidate[],
  rib: readonly TRibRoute[],
): THandoverRoute[] {
  const movable = new Set(candidates.filter(isMovable).map((candidate) => candidate.prefix));
  if (movable.size === 0) return [];
  const peersByAsn = new Map(config.peers.map((peer) => [peer.asn, peer]));
  const routes: THandoverRoute[] = [];
  for (const route of rib) {
    if (!movable.has(route.prefix)) continue;
    const choices = route.neighborAsns
      .map((asn, i) => ({ peer: peersByAsn.get(asn), hops: route.hops[i] ?? Infinity }))
      .filter((choice) => choice.peer !== undefined)
      .sort((a, b) => a.hops - b.hops || a.peer!.index - b.peer!.index);
    const peer = choices[0]?.peer;
    if (!peer) continue;
    const device = getTunnelInterfaceName(peer.index, getPairSlot(config.self, peer));
    routes.push({ prefix: route.prefix, device });
  }
  return routes.sort((a, b) => compareText(a.prefix, b.prefix));
}
