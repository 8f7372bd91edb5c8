// FRR configuration text from the typed model, in the indentation FRR itself writes (`show
// running-config`) and its order but for the bfd block (first: see renderFrrConfig), so
// `frr-reload.py` diffs it cleanly and golden files stay readable.
import type {
  TFrrAddressFamily,
  TFrrBfdPeer,
  TFrrConfig,
  TFrrInterface,
  TFrrNeighbor,
  TFrrPrefixListEntry,
} from "./derive-frr-config";
import {
  FRR_ANCHOR_DISTANCE,
  FRR_OWN_ROUTES_AS_PATH,
  FRR_PATH_LIMIT_AS_PATH,
} from "./derive-frr-config";
import {
  renderInterfaceAnchorLines,
  renderRouteMapDelayLines,
  renderPrefixListEntry,
  renderRoutePolicyNeighborLines,
  renderRouteSourceLines,
  renderRoutePolicyGlobalLines,
  renderSpeakerLines,
} from "./render-route-policy";

function renderPrefixList(
  keyword: "ip" | "ipv6",
  name: string,
  entries: readonly TFrrPrefixListEntry[],
): string[] {
  return entries.map((entry) => renderPrefixListEntry(keyword, name, entry));
}

function renderAddressFamily(
  family: "ipv4" | "ipv6",
  af: TFrrAddressFamily,
  peerGroup: string,
  model: Pick<TFrrConfig, "outboundRouteMap" | "maxAsPathLength" | "routePolicy">,
): string[] {
  const { outboundRouteMap, maxAsPathLength, routePolicy } = model;
  return [
    " !",
    ` address-family ${family} unicast`,
    ...af.networks.map((network) => `  network ${network}`),
    ...renderRouteSourceLines(routePolicy, family),
    `  neighbor ${peerGroup} activate`,
    `  neighbor ${peerGroup} prefix-list ${af.prefixListName} in`,
    `  neighbor ${peerGroup} prefix-list ${af.prefixListName} out`,
    ...(outboundRouteMap ? [`  neighbor ${peerGroup} route-map ${outboundRouteMap} out`] : []),
    ...(maxAsPathLength === null
      ? []
      : [`  neighbor ${peerGroup} filter-list ${FRR_PATH_LIMIT_AS_PATH} in`]),
    ...renderRoutePolicyNeighborLines(routePolicy, family, peerGroup),
    " exit-address-family",
  ];
}

/**
 * The no-transit policy (top level, as FRR prints it): an as-path list of the empty path (our
 * own routes) and a route map permitting only those. Empty without an outbound route map.
 */
export function renderNoTransitPolicy(outboundRouteMap: string | null): string[] {
  if (!outboundRouteMap) return [];
  return [
    `bgp as-path access-list ${FRR_OWN_ROUTES_AS_PATH} seq 5 permit ^$`,
    "!",
    `route-map ${outboundRouteMap} permit 10`,
    ` match as-path ${FRR_OWN_ROUTES_AS_PATH}`,
    "exit",
    "!",
  ];
}

/**
 * The path limit's as-path list (top level): deny a path of more than `maxAsPathLength` ASNs
 * (FRR's `_` matches the space between them), permit the rest. Empty without a limit.
 */
export function renderPathLimitLines(maxAsPathLength: number | null): string[] {
  if (maxAsPathLength === null) return [];
  const longer = `^[0-9]+${"_[0-9]+".repeat(maxAsPathLength)}`;
  return [
    `bgp as-path access-list ${FRR_PATH_LIMIT_AS_PATH} seq 5 deny ${longer}`,
    `bgp as-path access-list ${FRR_PATH_LIMIT_AS_PATH} seq 10 permit .*`,
    "!",
  ];
}

/** The stanza of one tunnel interface, as FRR prints it (render-frr-commands.ts reuses it). */
export function renderInterfaceLines(iface: TFrrInterface): string[] {
  return [
    `interface ${iface.name}`,
    ` ipv6 nd ra-interval ${iface.raIntervalSec}`,
    " no ipv6 nd suppress-ra",
    "exit",
  ];
}

/** The `router bgp` lines of one neighbor, indented as FRR prints them. */
export function renderNeighborLines(neighbor: TFrrNeighbor, peerGroup: string): string[] {
  return [
    ` neighbor ${neighbor.interfaceName} interface peer-group ${peerGroup}`,
    ` neighbor ${neighbor.interfaceName} description ${neighbor.description}`,
  ];
}

/** The `bfd` block lines of one static BFD peer, indented as FRR prints them. */
export function renderBfdPeerLines(peer: TFrrBfdPeer, profile: string): string[] {
  return [
    ` peer ${peer.peerAddress} interface ${peer.interfaceName}`,
    `  profile ${profile}`,
    " exit",
  ];
}

/**
 * Renders the FRR integrated configuration (frr.conf) of a node. Pure and deterministic: the
 * same model always gives byte-identical text, ending with a newline.
 */
export function renderFrrConfig(model: TFrrConfig): string {
  const lines: string[] = ["frr defaults datacenter", `hostname ${model.hostname}`];
  if (model.logSyslogLevel) lines.push(`log syslog ${model.logSyslogLevel}`);
  lines.push("service integrated-vtysh-config", "!");
  if (model.anchorRoutes.length > 0) {
    for (const prefix of model.anchorRoutes) {
      const keyword = prefix.includes(":") ? "ipv6" : "ip";
      lines.push(`${keyword} route ${prefix} blackhole ${FRR_ANCHOR_DISTANCE}`);
    }
    lines.push("!");
  }
  lines.push(...renderInterfaceAnchorLines(model.routePolicy));
  for (const iface of model.interfaces) lines.push(...renderInterfaceLines(iface), "!");
  // bfdd's static sessions before bgpd's neighbors (FRR prints them last): `vtysh -b` sends
  // the lines in file order, and bgpd registers a session on Established, which against a peer
  // already running can come before the bfd block, 1-2 s later on a busy host. bfdd then made
  // the registration's session (no interface) and the static peer joined it: a configured
  // session without its interface, or beside it a second, bound one that stayed down.
  lines.push(...renderBfdLines(model));
  const group = model.peerGroup;
  lines.push(...renderRouteMapDelayLines(model.routePolicy));
  lines.push(
    `router bgp ${model.asn}`,
    ` bgp router-id ${model.routerId}`,
    // Equal-cost paths through different ASNs (anycast prefixes) are used together.
    " bgp bestpath as-path multipath-relax",
    ` coalesce-time ${model.coalesceTimeMs}`,
    ` neighbor ${group} peer-group`,
    ` neighbor ${group} remote-as external`,
    ` neighbor ${group} bfd`,
    ` neighbor ${group} bfd profile ${model.bfd.profile}`,
    ` neighbor ${group} capability extended-nexthop`,
    // Retry a refused connection after 2 s rather than 10: a tunnel that just came up peers fast.
    ` neighbor ${group} timers connect 2`,
  );
  for (const neighbor of model.neighbors) lines.push(...renderNeighborLines(neighbor, group));
  lines.push(...renderSpeakerLines(model.routePolicy));
  lines.push(
    ...renderAddressFamily("ipv4", model.ipv4, group, model),
    ...renderAddressFamily("ipv6", model.ipv6, group, model),
    "exit",
    "!",
    ...renderPathLimitLines(model.maxAsPathLength),
    ...renderNoTransitPolicy(model.outboundRouteMap),
    ...renderRoutePolicyGlobalLines(model.routePolicy),
    ...renderPrefixList("ip", model.ipv4.prefixListName, model.ipv4.prefixList),
    "!",
    ...renderPrefixList("ipv6", model.ipv6.prefixListName, model.ipv6.prefixList),
    "!",
    "end",
  );
  return `${lines.join("\n")}\n`;
}

/** The `bfd` block: the profile, then one static session per tunnel. */
function renderBfdLines(model: TFrrConfig): string[] {
  return [
    "bfd",
    ` profile ${model.bfd.profile}`,
    `  detect-multiplier ${model.bfd.multiplier}`,
    `  receive-interval ${model.bfd.intervalMs}`,
    `  transmit-interval ${model.bfd.intervalMs}`,
    " exit",
    " !",
    ...model.bfdPeers.flatMap((peer) => [...renderBfdPeerLines(peer, model.bfd.profile), " !"]),
    "exit",
    "!",
  ];
}
