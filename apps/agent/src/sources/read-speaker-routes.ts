// What the node's BGP speakers announce, read from FRR's Adj-RIB-In (`soft-reconfiguration
// inbound` keeps it, before the inbound policy and before FRR 8.4's self-next-hop check), so the
// agent reports every speaker route with its verdict, including the ones FRR filtered.
import {
  SPEAKER_NEEDS_FRR9_MESSAGE,
  type TDiscoveredRoute,
  type TRouteCandidate,
} from "@meshover/netcfg";

/** Runs one vtysh show command (the FRR adapter's `show`). */
export type TShowFrr = (command: string) => Promise<string>;

/** Peer groups of speakers in meshover's FRR config (derive-route-policy.ts). */
const SPEAKER_GROUP_PREFIX = "MO-SPK-";

interface TNeighborJson {
  peerGroup?: string;
}

/** The routes each speaker session announced, as candidates before judging. */
export async function readSpeakerRoutes(show: TShowFrr): Promise<TDiscoveredRoute[]> {
  const neighbors = JSON.parse(await show("show bgp neighbors json")) as Record<
    string,
    TNeighborJson
  >;
  const speakers = Object.entries(neighbors)
    .filter(([, neighbor]) => neighbor.peerGroup?.startsWith(SPEAKER_GROUP_PREFIX))
    .map(([address]) => address)
    .sort();
  const routes: TDiscoveredRoute[] = [];
  for (const address of speakers) {
    const family = address.includes(":") ? "ipv6" : "ipv4";
    const received = JSON.parse(
      await show(`show bgp ${family} unicast neighbors ${address} received-routes json`),
    ) as { receivedRoutes?: Record<string, unknown> };
    for (const prefix of Object.keys(received.receivedRoutes ?? {}).sort()) {
      routes.push({ prefix, source: "speaker", interface: null, protocol: null, speaker: address });
    }
  }
  return routes;
}

/**
 * A speaker that connects from one of the node's own addresses runs in the node's network
 * namespace (MetalLB, Cilium BGP CP): FRR 8.4 drops every route it sends as a "martian or self
 * next-hop" (ROUTING-NOTES §0.3), so its routes are refused with that reason.
 */
export function refuseSameNamespaceSpeakers(
  candidates: readonly TRouteCandidate[],
  localAddresses: ReadonlySet<string>,
): TRouteCandidate[] {
  return candidates.map((candidate) =>
    candidate.source === "speaker" && candidate.speaker && localAddresses.has(candidate.speaker)
      ? {
          ...candidate,
          verdict: "refused",
          refusal: "speaker-needs-frr9",
          detail: SPEAKER_NEEDS_FRR9_MESSAGE,
        }
      : candidate,
  );
}
