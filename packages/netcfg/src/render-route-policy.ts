// FRR text of the route-source and policy model (derive-route-policy.ts), in the places and the
// shape FRR's `show running-config` prints them. renderFrrConfig calls these at four points.
import type { TFrrRoutePolicy } from "./derive-route-policy";
import { FRR_ANCHOR_DISTANCE, type TFrrPrefixListEntry } from "./derive-frr-config";
import type { TIpFamily } from "./parse-cidr";

/** One `ip|ipv6 prefix-list` line. */
export function renderPrefixListEntry(
  keyword: "ip" | "ipv6",
  name: string,
  entry: TFrrPrefixListEntry,
): string {
  const ge = entry.ge === null ? "" : ` ge ${entry.ge}`;
  const le = entry.le === undefined || entry.le === null ? "" : ` le ${entry.le}`;
  return `${keyword} prefix-list ${name} seq ${entry.seq} ${entry.action} ${entry.prefix}${ge}${le}`;
}

/** Anchors that point at an interface (pod CIDR, §0.5 attached prefixes), global section. */
export function renderInterfaceAnchorLines(policy: TFrrRoutePolicy | null): string[] {
  if (!policy || policy.interfaceAnchors.length === 0) return [];
  return [
    ...policy.interfaceAnchors.map(
      (anchor) =>
        `${anchor.prefix.includes(":") ? "ipv6" : "ip"} route ${anchor.prefix} ${anchor.interface} ${FRR_ANCHOR_DISTANCE}`,
    ),
    "!",
  ];
}

/** `bgp route-map delay-timer`, a global line (FRR prints it among the first; order is free). */
export function renderRouteMapDelayLines(policy: TFrrRoutePolicy | null): string[] {
  return policy?.routeMapDelaySec == null
    ? []
    : [`bgp route-map delay-timer ${policy.routeMapDelaySec}`];
}

/** Speaker peer groups and listen ranges, inside `router bgp` before the address families. */
export function renderSpeakerLines(policy: TFrrRoutePolicy | null): string[] {
  if (!policy) return [];
  return policy.speakers.flatMap((speaker) => [
    ` neighbor ${speaker.peerGroup} peer-group`,
    ` neighbor ${speaker.peerGroup} remote-as ${speaker.asn}`,
    ` bgp listen range ${speaker.listenRange} peer-group ${speaker.peerGroup}`,
  ]);
}

/** What one address family originates from the host: pod CIDR networks, redistribution. */
export function renderRouteSourceLines(
  policy: TFrrRoutePolicy | null,
  family: TIpFamily,
): string[] {
  if (!policy) return [];
  const af = policy[family];
  return [
    ...af.networks.map((network) => `  network ${network}`),
    ...af.redistribute.map(
      (source) => `  redistribute ${source.protocol} route-map ${source.routeMap}`,
    ),
  ];
}

/** The neighbor lines one address family gains: origin binding, speakers. */
export function renderRoutePolicyNeighborLines(
  policy: TFrrRoutePolicy | null,
  family: TIpFamily,
  meshPeerGroup: string,
): string[] {
  if (!policy) return [];
  const af = policy[family];
  return [
    ...(af.meshRouteMapIn ? [`  neighbor ${meshPeerGroup} route-map ${af.meshRouteMapIn} in`] : []),
    ...policy.speakers
      .filter((speaker) => speaker.family === family)
      .flatMap((speaker) => [
        `  neighbor ${speaker.peerGroup} activate`,
        `  neighbor ${speaker.peerGroup} soft-reconfiguration inbound`,
        `  neighbor ${speaker.peerGroup} route-map ${speaker.routeMapIn} in`,
        `  neighbor ${speaker.peerGroup} route-map ${speaker.routeMapOut} out`,
        // Over the limit the session goes down and retries after a minute (FRR logs it and
        // `show bgp neighbors` shows it), so a runaway speaker cannot flood the mesh.
        `  neighbor ${speaker.peerGroup} maximum-prefix ${speaker.maxPrefixes} restart 1`,
      ]),
  ];
}

/** AS-path lists, prefix-lists and route-maps, global section after `router bgp`. */
export function renderRoutePolicyGlobalLines(policy: TFrrRoutePolicy | null): string[] {
  if (!policy) return [];
  const lines: string[] = [];
  if (policy.asPathLists.length > 0) {
    for (const entry of policy.asPathLists) {
      lines.push(
        `bgp as-path access-list ${entry.name} seq ${entry.seq} ${entry.action} ${entry.regex}`,
      );
    }
    lines.push("!");
  }
  for (const list of policy.prefixLists) {
    const keyword = list.family === "ipv4" ? "ip" : "ipv6";
    for (const entry of list.entries) lines.push(renderPrefixListEntry(keyword, list.name, entry));
    lines.push("!");
  }
  for (const map of policy.routeMaps) {
    for (const entry of map.entries) {
      lines.push(
        `route-map ${map.name} ${entry.action} ${entry.seq}`,
        ...entry.matches.map((match) => ` ${match}`),
        ...entry.sets.map((set) => ` ${set}`),
        "exit",
        "!",
      );
    }
  }
  return lines;
}
