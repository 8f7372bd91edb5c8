// Checks on what admins type: the mesh pools in the settings and the prefixes attached to a
// node. Bad input gets one clear NetcfgError and changes nothing (DESIGN.md, Security).
import { getPoolRange } from "./allocate-identity";
import { NetcfgError } from "./netcfg-error";
import { isCidrOverlap, parseCidr, type TParsedCidr } from "./parse-cidr";

/** Ranges no advertised prefix may touch: they never route between sites. */
const FORBIDDEN_RANGES: readonly { cidr: string; why: string }[] = [
  { cidr: "127.0.0.0/8", why: "loopback" },
  { cidr: "169.254.0.0/16", why: "IPv4 link-local" },
  { cidr: "224.0.0.0/4", why: "multicast" },
  { cidr: "::1/128", why: "loopback" },
  { cidr: "fe80::/10", why: "IPv6 link-local" },
  { cidr: "ff00::/8", why: "multicast" },
];
const PARSED_FORBIDDEN = FORBIDDEN_RANGES.map((range) => ({
  cidr: parseCidr(range.cidr),
  why: range.why,
}));

/** The two node-address pools of a mesh. */
export interface TMeshPools {
  ipv4Pool: string;
  ipv6Pool: string;
}

/** The mesh pools in canonical text. */
export type TNormalizedMeshPools = TMeshPools;

/**
 * Validates the node-address pools: an IPv4 prefix with at least 2 usable addresses (/30 or
 * shorter) and an IPv6 prefix of /126 or shorter, neither the default route, no host bits.
 * Returns them in canonical text. Throws INVALID_CIDR or INVALID_POOL.
 */
export function validateMeshPools(pools: TMeshPools): TNormalizedMeshPools {
  const ipv4 = getPoolRange(pools.ipv4Pool, "ipv4");
  const ipv6 = getPoolRange(pools.ipv6Pool, "ipv6");
  for (const [pool, maxLength] of [
    [parseCidr(ipv4.pool), 30],
    [parseCidr(ipv6.pool), 126],
  ] as const) {
    if (pool.prefixLength === 0) {
      throw new NetcfgError("INVALID_POOL", `pool ${pool.text} is the whole address space`);
    }
    if (pool.prefixLength > maxLength) {
      throw new NetcfgError(
        "INVALID_POOL",
        `pool ${pool.text} is too small: use /${maxLength} or shorter`,
      );
    }
    const forbidden = PARSED_FORBIDDEN.find((range) => isCidrOverlap(range.cidr, pool));
    if (forbidden) {
      throw new NetcfgError(
        "INVALID_POOL",
        `pool ${pool.text} overlaps ${forbidden.cidr.text} (${forbidden.why})`,
      );
    }
  }
  return { ipv4Pool: ipv4.pool, ipv6Pool: ipv6.pool };
}

/** Another node's prefixes, for overlap checks. */
export interface TOtherNodePrefixes {
  /** Node name, used in messages. */
  name: string;
  prefixes: readonly string[];
}

/** Options of validateAdvertisedPrefixes. */
export interface TValidateAdvertisedPrefixesOptions {
  /** What the admin typed. */
  prefixes: readonly string[];
  /** The mesh pools: node addresses are routed by meshover itself, never advertised as prefixes. */
  pools: TMeshPools;
  /** Every other node's advertised prefixes. */
  otherNodes?: readonly TOtherNodePrefixes[];
  /**
   * The prefixes are anycast: several nodes may announce the same or overlapping prefixes on
   * purpose (e.g. a service address served from two sites), so overlaps with other nodes are
   * allowed. Overlaps within this node's own list and with the pools are always refused.
   */
  isAnycast?: boolean;
  /** Allow 0.0.0.0/0 and ::/0 (an exit node). Off by default: it would pull all traffic. */
  isDefaultRouteAllowed?: boolean;
  /**
   * Accept host bits and clear them (`192.168.50.1/24` → `192.168.50.0/24`). Off by default:
   * the error then names the network, so the admin sees what would be announced.
   */
  canClearHostBits?: boolean;
}

/**
 * Validates a node's advertised prefixes and returns them in canonical text, sorted (IPv4
 * first, then by address and length). Refuses (NetcfgError): bad CIDR text or host bits set
 * unless canClearHostBits (INVALID_CIDR), default route unless allowed, loopback, link-local, multicast
 * (INVALID_PREFIX), overlap with a mesh pool, a duplicate or overlap within the list, or an
 * overlap with another node's prefix unless anycast (OVERLAP).
 */
export function validateAdvertisedPrefixes(options: TValidateAdvertisedPrefixesOptions): string[] {
  const pools = [parseCidr(options.pools.ipv4Pool), parseCidr(options.pools.ipv6Pool)];
  const parsed: TParsedCidr[] = [];
  for (const text of options.prefixes) {
    const cidr = parseCidr(text, { isHostBitsAllowed: options.canClearHostBits === true });
    if (cidr.prefixLength === 0 && !options.isDefaultRouteAllowed) {
      throw new NetcfgError(
        "INVALID_PREFIX",
        `${cidr.text} is the default route; it may only be advertised when explicitly allowed`,
      );
    }
    const forbidden = PARSED_FORBIDDEN.find((range) => isCidrOverlap(range.cidr, cidr));
    if (forbidden && cidr.prefixLength !== 0) {
      throw new NetcfgError(
        "INVALID_PREFIX",
        `${cidr.text} overlaps ${forbidden.cidr.text} (${forbidden.why}), which is never routed`,
      );
    }
    const pool = pools.find((candidate) => isCidrOverlap(candidate, cidr));
    if (pool && cidr.prefixLength !== 0) {
      throw new NetcfgError(
        "OVERLAP",
        `${cidr.text} overlaps the mesh node-address pool ${pool.text}`,
      );
    }
    const own = parsed.find((candidate) => isCidrOverlap(candidate, cidr));
    if (own) {
      throw new NetcfgError(
        "OVERLAP",
        own.text === cidr.text
          ? `${cidr.text} is listed twice`
          : `${cidr.text} overlaps ${own.text} in the same list`,
      );
    }
    parsed.push(cidr);
  }
  if (!options.isAnycast) {
    for (const other of options.otherNodes ?? []) {
      for (const text of other.prefixes) {
        const theirs = parseCidr(text, { isHostBitsAllowed: true });
        const mine = parsed.find((candidate) => isCidrOverlap(candidate, theirs));
        if (mine) {
          throw new NetcfgError(
            "OVERLAP",
            `${mine.text} overlaps ${theirs.text} advertised by node "${other.name}" (mark it anycast if that is intended)`,
          );
        }
      }
    }
  }
  return sortCidrs(parsed).map((cidr) => cidr.text);
}

/** Sorts prefixes: IPv4 before IPv6, then by network address, then shorter first. */
export function sortCidrs(cidrs: readonly TParsedCidr[]): TParsedCidr[] {
  return [...cidrs].sort((a, b) => {
    if (a.family !== b.family) return a.family === "ipv4" ? -1 : 1;
    if (a.network !== b.network) return a.network < b.network ? -1 : 1;
    return a.prefixLength - b.prefixLength;
  });
}
