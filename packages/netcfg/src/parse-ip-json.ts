// Parsers for iproute2's JSON output (`ip [-d] -json link|addr|route show`), as printed by the
// iproute2 of Debian 12 (fixtures/ holds real captures). The agent observes the host with
// them. Only the fields meshover uses are typed; unknown fields are ignored so newer iproute2
// versions still parse.
import { z } from "zod";
import { parseToolJson } from "./parse-tool-json";
import type { TLinkKind } from "./plan/host-state";

const ZLinkBase = z.object({
  ifindex: z.number().int(),
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number().int().optional(),
  operstate: z.string().optional(),
  link_type: z.string().optional(),
  address: z.string().optional(),
  master: z.string().optional(),
  /** Only with `ip -d`. */
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
});

const ZAddrInfo = z.object({
  family: z.string(),
  local: z.string(),
  prefixlen: z.number().int(),
  scope: z.string().optional(),
  "stable-privacy": z.boolean().optional(),
});

/** `ip -json link show`: one entry per link. */
export const ZIpLinkOutput = z.array(ZLinkBase);
/** `ip -json addr show`: one entry per link, with its addresses. */
export const ZIpAddrOutput = z.array(
  ZLinkBase.extend({ addr_info: z.array(ZAddrInfo).default([]) }),
);
/** `ip -json route show` (either family). */
export const ZIpRouteOutput = z.array(
  z.object({
    type: z.string().optional(),
    dst: z.string(),
    gateway: z.string().optional(),
    via: z.object({ family: z.string(), host: z.string() }).optional(),
    dev: z.string().optional(),
    protocol: z.string().optional(),
    scope: z.string().optional(),
    metric: z.number().int().optional(),
    prefsrc: z.string().optional(),
    table: z.string().optional(),
  }),
);

/** A network link. */
export interface TIpLink {
  index: number;
  name: string;
  /** Kernel flags (UP, LOWER_UP, POINTOPOINT, ...). */
  flags: string[];
  /** Administratively up (the UP flag). */
  isUp: boolean;
  mtu: number | null;
  /** UP, DOWN, UNKNOWN (tun devices such as wireguard-go report UNKNOWN when up), ... */
  operState: string | null;
  /** ether, loopback, none (tun/wireguard), ... */
  linkType: string | null;
  /** Hardware address, null for links without one (wireguard-go). */
  macAddress: string | null;
  /** Bridge or bond the link is enslaved to. */
  master: string | null;
  /** linkinfo.info_kind (`ip -d` only): wireguard, tun, dummy, veth, ... */
  infoKind: string | null;
  /** The planner's kind: loopback, dummy, wireguard (kernel; wireguard-go shows as tun), other. */
  kind: TLinkKind;
}

/** One address on a link. */
export interface TIpAddress {
  family: "ipv4" | "ipv6";
  address: string;
  prefixLength: number;
  /** `address/prefixLength` as ip prints it. */
  cidr: string;
  /** host, link, global. */
  scope: string | null;
  /** A link-local the kernel generated (addr_gen_mode stable-privacy). */
  isStablePrivacy: boolean;
}

/** A link with its addresses. */
export interface TIpLinkAddresses extends TIpLink {
  addresses: TIpAddress[];
}

/** One route of the kernel's table. */
export interface TIpRoute {
  /** unicast (default), blackhole, unreachable, local, ... */
  type: string;
  /** Destination as a CIDR (`default` becomes 0.0.0.0/0 or ::/0; a bare address its /32 or /128). */
  destination: string;
  family: "ipv4" | "ipv6";
  /** Next-hop address (IPv6 for IPv4 routes over extended next-hop), null when on-link. */
  gateway: string | null;
  device: string | null;
  /** kernel, boot, static, bgp, ... */
  protocol: string | null;
  metric: number | null;
  /** Preferred source address. */
  preferredSource: string | null;
}

function toKind(entry: z.output<typeof ZLinkBase>): TLinkKind {
  const infoKind = entry.linkinfo?.info_kind;
  if (entry.link_type === "loopback") return "loopback";
  if (infoKind === "dummy" || infoKind === "wireguard") return infoKind;
  return "other";
}

function toLink(entry: z.output<typeof ZLinkBase>): TIpLink {
  return {
    index: entry.ifindex,
    name: entry.ifname,
    flags: entry.flags,
    isUp: entry.flags.includes("UP"),
    mtu: entry.mtu ?? null,
    operState: entry.operstate ?? null,
    linkType: entry.link_type ?? null,
    macAddress: entry.address ?? null,
    master: entry.master ?? null,
    infoKind: entry.linkinfo?.info_kind ?? null,
    kind: toKind(entry),
  };
}

/** Parses `ip [-d] -json link show`. Throws NetcfgError INVALID_TOOL_OUTPUT on unexpected text. */
export function parseIpLinks(text: string): TIpLink[] {
  return parseToolJson("ip -json link", ZIpLinkOutput, text).map(toLink);
}

/** Parses `ip -json addr show`. Throws NetcfgError INVALID_TOOL_OUTPUT on unexpected text. */
export function parseIpAddresses(text: string): TIpLinkAddresses[] {
  return parseToolJson("ip -json addr", ZIpAddrOutput, text).map((entry) => ({
    ...toLink(entry),
    addresses: entry.addr_info
      .filter((info) => info.family === "inet" || info.family === "inet6")
      .map((info) => ({
        family: info.family === "inet" ? ("ipv4" as const) : ("ipv6" as const),
        address: info.local,
        prefixLength: info.prefixlen,
        cidr: `${info.local}/${info.prefixlen}`,
        scope: info.scope ?? null,
        isStablePrivacy: info["stable-privacy"] === true,
      })),
  }));
}

/**
 * Parses `ip -json route show` or `ip -6 -json route show`. `family` says which one it is, for
 * the `default` destination (the output itself does not say). Throws INVALID_TOOL_OUTPUT.
 */
export function parseIpRoutes(text: string, family: "ipv4" | "ipv6" = "ipv4"): TIpRoute[] {
  return parseToolJson("ip -json route", ZIpRouteOutput, text).map((entry) => {
    const isIpv6 = entry.dst === "default" ? family === "ipv6" : entry.dst.includes(":");
    const hostLength = isIpv6 ? 128 : 32;
    const destination =
      entry.dst === "default"
        ? isIpv6
          ? "::/0"
          : "0.0.0.0/0"
        : entry.dst.includes("/")
          ? entry.dst
          : `${entry.dst}/${hostLength}`;
    return {
      type: entry.type ?? "unicast",
      destination,
      family: isIpv6 ? "ipv6" : "ipv4",
      gateway: entry.gateway ?? entry.via?.host ?? null,
      device: entry.dev ?? null,
      protocol: entry.protocol ?? null,
      metric: entry.metric ?? null,
      preferredSource: entry.prefsrc ?? null,
    };
  });
}
