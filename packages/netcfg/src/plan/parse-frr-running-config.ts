// Reads the part of FRR's `show running-config` that meshover manages (its BGP instance,
// neighbors on tunnel interfaces, announced networks, BFD profile) into a TFrrState, so the
// planner can compare FRR's live state with the desired one.
import {
  FRR_ANCHOR_DISTANCE,
  FRR_NO_TRANSIT_ROUTE_MAP,
  FRR_OWN_ROUTES_AS_PATH,
  FRR_PREFIX_LIST_V4,
  FRR_PREFIX_LIST_V6,
} from "../derive-frr-config";
import type { TFrrState } from "./host-state";
import { formatInterfaceAddress } from "./format-address";
import { isRoutePolicyTopLine, toRoutePolicyBgpLine } from "./route-policy-lines";

/** Name of the BFD profile meshover's FRR configuration uses. */
export const FRR_BFD_PROFILE = "meshover";

/** FRR 8.4 BFD defaults, which `show running-config` leaves out. */
const BFD_DEFAULT_INTERVAL_MS = 300;
const BFD_DEFAULT_MULTIPLIER = 3;

/**
 * True for the top-level lines that make up meshover's routing policy (see TFrrState.policy):
 * its own prefix lists and its blackhole anchor routes. An admin's other prefix lists and
 * static routes (system FRR) are not meshover's and never compared.
 */
export function isPolicyLine(line: string): boolean {
  const prefixList = new RegExp(
    `^(ip|ipv6) prefix-list (${FRR_PREFIX_LIST_V4}|${FRR_PREFIX_LIST_V6}) `,
  );
  const anchor = new RegExp(`^(ip|ipv6) route \\S+ blackhole ${FRR_ANCHOR_DISTANCE}$`);
  // The no-transit policy (its header lines; the route map's one match line comes with it).
  const noTransit =
    line.startsWith(`bgp as-path access-list ${FRR_OWN_ROUTES_AS_PATH} `) ||
    line.startsWith(`route-map ${FRR_NO_TRANSIT_ROUTE_MAP} `);
  return prefixList.test(line) || anchor.test(line) || noTransit || isRoutePolicyTopLine(line);
}

/** Parse FRR running-config text; null when it has no (default-VRF) `router bgp`. */
export function parseFrrRunningConfig(text: string): TFrrState | null {
  let asn: number | null = null;
  let routerId = "";
  const neighbors = new Set<string>();
  /** Interfaces with a static single-hop BFD peer (`peer … interface <name>` in `bfd`). */
  const bfdPeers = new Set<string>();
  const ipv4Networks = new Set<string>();
  const ipv6Networks = new Set<string>();
  const policy: string[] = [];
  let receiveMs = BFD_DEFAULT_INTERVAL_MS;
  let transmitMs = BFD_DEFAULT_INTERVAL_MS;
  let multiplier = BFD_DEFAULT_MULTIPLIER;
  let coalesceTimeMs: number | null = null;
  let section:
    | "none"
    | "bgp"
    | "bgp-v4"
    | "bgp-v6"
    | "bgp-other"
    | "bfd"
    | "bfd-profile"
    | "bfd-peer"
    | "route-map" = "none";
  let routeMapHead = "";

  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line === "!") continue;
    const words = line.split(/\s+/);
    if (!raw.startsWith(" ")) {
      // Top-level statement: leaves whatever block we were in.
      section = "none";
      if (isPolicyLine(line)) policy.push(line);
      if (words[0] === "router" && words[1] === "bgp" && words.length === 3) {
        asn = Number(words[2]);
        section = "bgp";
      } else if (line === "bfd") {
        section = "bfd";
      } else if (words[0] === "route-map" && isPolicyLine(line)) {
        section = "route-map";
        routeMapHead = line;
      }
      continue;
    }
    if (section === "route-map") {
      if (line !== "exit") policy.push(`${routeMapHead}: ${line}`);
      continue;
    }
    if (section.startsWith("bgp")) {
      if (line === "exit-address-family") section = "bgp";
      else if (line === "address-family ipv4 unicast") section = "bgp-v4";
      else if (line === "address-family ipv6 unicast") section = "bgp-v6";
      else if (words[0] === "address-family") section = "bgp-other";
      else if (section === "bgp" && words[0] === "bgp" && words[1] === "router-id") {
        routerId = words[2] ?? "";
      } else if (section === "bgp" && words[0] === "coalesce-time") {
        coalesceTimeMs = Number(words[1]);
      } else if (section === "bgp" && words[0] === "neighbor" && words[2] === "interface") {
        neighbors.add(words[1] ?? "");
      } else if ((section === "bgp-v4" || section === "bgp-v6") && words[0] === "network") {
        const cidr = formatInterfaceAddress(words[1] ?? "");
        (section === "bgp-v4" ? ipv4Networks : ipv6Networks).add(cidr);
      } else {
        const routePolicyLine = toRoutePolicyBgpLine(section, line);
        if (routePolicyLine) policy.push(routePolicyLine);
      }
    } else if (section === "bfd-peer") {
      if (line === "exit") section = "bfd";
    } else if (section === "bfd" || section === "bfd-profile") {
      if (words[0] === "peer") {
        section = "bfd-peer";
        const at = words.indexOf("interface");
        if (at > 0 && !words.includes("multihop")) bfdPeers.add(words[at + 1] ?? "");
      } else if (words[0] === "profile") {
        section = words[1] === FRR_BFD_PROFILE ? "bfd-profile" : "bfd";
      } else if (line === "exit") {
        section = "bfd";
      } else if (section === "bfd-profile") {
        const value = Number(words[1]);
        if (words[0] === "receive-interval") receiveMs = value;
        if (words[0] === "transmit-interval") transmitMs = value;
        if (words[0] === "detect-multiplier") multiplier = value;
      }
    }
  }
  if (asn === null) return null;
  return {
    asn,
    routerId,
    ipv4Networks: [...ipv4Networks].sort(),
    ipv6Networks: [...ipv6Networks].sort(),
    // Unequal timers are not what meshover sets: report 0 so the planner rewrites them.
    bfd: { intervalMs: receiveMs === transmitMs ? receiveMs : 0, multiplier },
    coalesceTimeMs,
    policy: policy.sort(),
    // A neighbor without its static BFD peer is incomplete: the planner adds it again.
    neighbors: [...neighbors].filter((device) => bfdPeers.has(device)).sort(),
  };
}
