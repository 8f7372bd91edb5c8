// Direct paths between two nodes over the underlay (issue #17): which address family a tunnel
// uses, who dials whom, and when no tunnel can work at all. Both ends and the controller run the
// same function on the same facts, so they agree with no coordination: the controller leaves
// impossible pairs out of the configs, each agent picks the family and endpoint of its tunnels.
import {
  isAddressInCidr,
  parseAddress,
  parseCidr,
  type TIpFamily,
  type TParsedAddress,
} from "./parse-cidr";

/**
 * How an admin says a node's underlay can be reached. `auto`: from its addresses (behind NAT
 * when none is public); `behind_nat`: outbound only, whatever its addresses say (a firewall
 * without port forwards); `public`: peers can dial every address it reports (a port forward, or
 * a mesh inside one private network).
 */
export const UNDERLAY_MODES = ["auto", "behind_nat", "public"] as const;
/** See UNDERLAY_MODES. */
export type TUnderlayMode = (typeof UNDERLAY_MODES)[number];

/**
 * Addresses nobody outside the host's own network can dial: RFC 1918, shared address space
 * (carrier-grade NAT, RFC 6598), loopback, link-local, unique local IPv6 (RFC 4193).
 */
export const PRIVATE_UNDERLAY_RANGES: readonly string[] = [
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
];

/** True when `address` is in one of PRIVATE_UNDERLAY_RANGES (so a peer elsewhere cannot dial it). */
export function isPrivateUnderlayAddress(address: TParsedAddress | string): boolean {
  const parsed = typeof address === "string" ? parseAddress(address) : address;
  return PARSED_PRIVATE_RANGES.some((range) => isAddressInCidr(parsed, range));
}

const PARSED_PRIVATE_RANGES = PRIVATE_UNDERLAY_RANGES.map((text) => parseCidr(text));

/** Families in the order a tunnel prefers them: IPv6 has no NAT in the way. */
export const FAMILY_PREFERENCE: readonly TIpFamily[] = ["ipv6", "ipv4"];

/** What the path logic needs to know of one node's underlay. */
export interface TUnderlayFacts {
  /** Every underlay address the node reported (its families come from these). */
  endpoints: readonly string[];
  /** Effective: peers never dial it, it dials them (see resolveBehindNat). */
  isBehindNat: boolean;
}

/** A node's underlay parsed once (a 1,000-node compile checks a million pairs). */
export interface TUnderlayView {
  isBehindNat: boolean;
  /** First valid address per family, in report order. */
  byFamily: Partial<Record<TIpFamily, TParsedAddress>>;
}

/** Parses a node's underlay facts; unparseable endpoints are skipped. */
export function viewUnderlay(facts: TUnderlayFacts): TUnderlayView {
  const byFamily: Partial<Record<TIpFamily, TParsedAddress>> = {};
  for (const text of facts.endpoints) {
    let address: TParsedAddress;
    try {
      address = parseAddress(text);
    } catch {
      continue;
    }
    byFamily[address.family] ??= address;
  }
  return { isBehindNat: facts.isBehindNat, byFamily };
}

/**
 * Whether a node is behind NAT, from its admin setting and reported addresses: `auto` means
 * behind NAT when no reported address is public (none at all counts too: nothing to dial).
 */
export function resolveBehindNat(mode: TUnderlayMode, endpoints: readonly string[]): boolean {
  if (mode === "behind_nat") return true;
  if (mode === "public") return false;
  return !endpoints.some((text) => {
    try {
      return !isPrivateUnderlayAddress(parseAddress(text));
    } catch {
      return false;
    }
  });
}

/** Why two nodes have no direct path. */
export type TNoPathReason = "both-behind-nat" | "no-common-family";

/** A direct path between `self` and `peer`, as `self` sees it. */
export type TDirectPath =
  | {
      kind: "direct";
      family: TIpFamily;
      /** The peer's address self dials, or null when the peer is behind NAT (it dials us). */
      peerAddress: string | null;
    }
  | { kind: "none"; reason: TNoPathReason };

/**
 * The direct path between two nodes: the first family of FAMILY_PREFERENCE both have an address
 * in, where at least one of them can be dialed. The side behind NAT dials (with a persistent
 * keepalive); the other side configures no endpoint and learns it from the handshake. None when
 * the nodes share no family, or when in every shared family both are behind NAT.
 */
export function chooseDirectPath(self: TUnderlayView, peer: TUnderlayView): TDirectPath {
  let hasCommonFamily = false;
  for (const family of FAMILY_PREFERENCE) {
    const peerAddress = peer.byFamily[family];
    if (!self.byFamily[family] || !peerAddress) continue;
    hasCommonFamily = true;
    if (self.isBehindNat && peer.isBehindNat) continue;
    return { kind: "direct", family, peerAddress: peer.isBehindNat ? null : peerAddress.text };
  }
  return { kind: "none", reason: hasCommonFamily ? "both-behind-nat" : "no-common-family" };
}

/** Human text of a TNoPathReason (dashboard, logs). */
export function describeNoPathReason(reason: TNoPathReason): string {
  return reason === "both-behind-nat"
    ? "both nodes are behind NAT: neither can be dialed"
    : "no common address family (one is IPv4-only, the other IPv6-only)";
}
