// Deterministic allocation of a new node's identity: the lowest free value of each pool, given
// what is taken. The database enforces uniqueness; this picks the value to try, never a random
// one, so the same mesh always hands out the same values.
//
// Address rule (documented because it decides the pool size):
// - IPv4 pools up to /30 skip the network address (first) and the broadcast address (last), so
//   `10.128.0.0/16` hands out 10.128.0.1 .. 10.128.255.254 (65534 addresses). /31 and /32 pools
//   use every address (RFC 3021: no broadcast on point-to-point links).
// - IPv6 pools up to /126 skip only the first address, the subnet-router anycast address
//   (RFC 4291 §2.6.1); IPv6 has no broadcast. /127 and /128 pools use every address (RFC 6164).
// Taken values outside the pool are ignored: they cannot collide with anything it hands out.
import { NetcfgError } from "./netcfg-error";
import { formatAddress, parseAddress, parseCidr, type TIpFamily } from "./parse-cidr";

/** Lowest node index. */
export const MIN_NODE_INDEX = 1;
/** Highest node index the config contract accepts. */
export const MAX_NODE_INDEX = 65535;
/** First private 32-bit ASN (RFC 6996). */
export const PRIVATE_ASN_MIN = 4200000000;
/** Last private 32-bit ASN (RFC 6996; 4294967295 is reserved). */
export const PRIVATE_ASN_MAX = 4294967294;

/** The lowest value in [min, max] that is not in `taken`, or null when all are taken. */
function findLowestFree(min: bigint, max: bigint, taken: Iterable<bigint>): bigint | null {
  const inRange = [...new Set([...taken].filter((value) => value >= min && value <= max))];
  inRange.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  let candidate = min;
  for (const value of inRange) {
    if (value === candidate) candidate += 1n;
    else if (value > candidate) break;
  }
  return candidate <= max ? candidate : null;
}

/**
 * Highest node index whose listen port still fits (basePort + index ≤ 65535), capped by the
 * config contract's maximum.
 */
export function getMaxNodeIndex(basePort: number): number {
  return Math.min(MAX_NODE_INDEX, 65535 - basePort);
}

/** Options of allocateNodeIndex. */
export interface TAllocateNodeIndexOptions {
  /** Indexes in use. */
  taken: Iterable<number>;
  /** Highest index allowed (see getMaxNodeIndex); MAX_NODE_INDEX by default. */
  maxIndex?: number;
}

/** The lowest free node index (1..maxIndex). Throws POOL_EXHAUSTED or INVALID_POOL. */
export function allocateNodeIndex(options: TAllocateNodeIndexOptions): number {
  const maxIndex = options.maxIndex ?? MAX_NODE_INDEX;
  if (!Number.isInteger(maxIndex) || maxIndex < MIN_NODE_INDEX || maxIndex > MAX_NODE_INDEX) {
    throw new NetcfgError(
      "INVALID_POOL",
      `node index limit ${maxIndex} must be an integer in ${MIN_NODE_INDEX}..${MAX_NODE_INDEX}`,
    );
  }
  const taken = [...options.taken].filter(Number.isInteger).map(BigInt);
  const index = findLowestFree(BigInt(MIN_NODE_INDEX), BigInt(maxIndex), taken);
  if (index === null) {
    throw new NetcfgError("POOL_EXHAUSTED", `all ${maxIndex} node indexes are in use`);
  }
  return Number(index);
}

/** Options of allocateAsn. */
export interface TAllocateAsnOptions {
  /** ASNs in use. */
  taken: Iterable<number>;
  /** First ASN of the range (default PRIVATE_ASN_MIN). */
  asnMin?: number;
  /** Last ASN of the range (default PRIVATE_ASN_MAX). */
  asnMax?: number;
}

/**
 * The lowest free ASN in [asnMin, asnMax], which must lie in the private 32-bit range
 * (RFC 6996). Throws INVALID_POOL for a bad range, POOL_EXHAUSTED when all are taken.
 */
export function allocateAsn(options: TAllocateAsnOptions): number {
  const asnMin = options.asnMin ?? PRIVATE_ASN_MIN;
  const asnMax = options.asnMax ?? PRIVATE_ASN_MAX;
  if (
    !Number.isInteger(asnMin) ||
    !Number.isInteger(asnMax) ||
    asnMin < PRIVATE_ASN_MIN ||
    asnMax > PRIVATE_ASN_MAX ||
    asnMin > asnMax
  ) {
    throw new NetcfgError(
      "INVALID_POOL",
      `ASN range ${asnMin}..${asnMax} must be a non-empty range inside the private 32-bit ASNs ${PRIVATE_ASN_MIN}..${PRIVATE_ASN_MAX}`,
    );
  }
  const taken = [...options.taken].filter(Number.isInteger).map(BigInt);
  const asn = findLowestFree(BigInt(asnMin), BigInt(asnMax), taken);
  if (asn === null) {
    throw new NetcfgError(
      "POOL_EXHAUSTED",
      `all ${asnMax - asnMin + 1} ASNs of ${asnMin}..${asnMax} are in use`,
    );
  }
  return Number(asn);
}

/** The addresses of a pool that allocation hands out (see the rule at the top of this file). */
export interface TPoolRange {
  family: TIpFamily;
  /** Canonical pool text. */
  pool: string;
  first: bigint;
  last: bigint;
  /** Number of addresses handed out before POOL_EXHAUSTED. */
  size: bigint;
}

/**
 * The usable range of an address pool. Throws INVALID_CIDR for bad text or host bits, and
 * INVALID_POOL when `family` is given and the pool is of the other family.
 */
export function getPoolRange(pool: string, family?: TIpFamily): TPoolRange {
  const cidr = parseCidr(pool);
  if (family && cidr.family !== family) {
    throw new NetcfgError("INVALID_POOL", `pool ${cidr.text} is not an ${family} prefix`);
  }
  const hostBits = (cidr.family === "ipv4" ? 32 : 128) - cidr.prefixLength;
  let first = cidr.network;
  let last = cidr.last;
  if (cidr.family === "ipv4" && hostBits >= 2) {
    first += 1n;
    last -= 1n;
  } else if (cidr.family === "ipv6" && hostBits >= 2) {
    first += 1n;
  }
  return { family: cidr.family, pool: cidr.text, first, last, size: last - first + 1n };
}

/** Options of allocateAddress. */
export interface TAllocateAddressOptions {
  /** The pool, e.g. `10.128.0.0/16` or `fd12:3456:789a::/48`. */
  pool: string;
  /** Addresses in use (with or without a /32 or /128 suffix). */
  taken: Iterable<string>;
  /** Required family of the pool. */
  family?: TIpFamily;
}

/**
 * The lowest free node address of a pool, as canonical text without prefix length. Throws
 * INVALID_CIDR/INVALID_POOL for a bad pool, INVALID_ADDRESS for a bad taken entry and
 * POOL_EXHAUSTED when every usable address is taken.
 */
export function allocateAddress(options: TAllocateAddressOptions): string {
  const range = getPoolRange(options.pool, options.family);
  const taken: bigint[] = [];
  for (const text of options.taken) {
    const address = parseAddress(text.replace(/\/(32|128)$/, ""));
    if (address.family === range.family) taken.push(address.value);
  }
  const value = findLowestFree(range.first, range.last, taken);
  if (value === null) {
    throw new NetcfgError(
      "POOL_EXHAUSTED",
      `pool ${range.pool} is exhausted: all ${range.size} node addresses are in use`,
    );
  }
  return formatAddress(range.family, value);
}

/** The lowest free node IPv4 address (/32) of an IPv4 pool. See allocateAddress. */
export function allocateIpv4(pool: string, taken: Iterable<string>): string {
  return allocateAddress({ pool, taken, family: "ipv4" });
}

/** The lowest free node IPv6 address (/128) of an IPv6 pool. See allocateAddress. */
export function allocateIpv6(pool: string, taken: Iterable<string>): string {
  return allocateAddress({ pool, taken, family: "ipv6" });
}

/** What is taken in the mesh, for allocateNodeIdentity. */
export interface TAllocateNodeIdentityOptions {
  ipv4Pool: string;
  ipv6Pool: string;
  /** Listen ports are basePort + index, so it caps the index. */
  basePort: number;
  asnMin?: number;
  asnMax?: number;
  /** The identities of every existing node. */
  nodes: readonly { index: number; asn: number; ipv4: string; ipv6: string }[];
}

/** A new node's allocated identity. */
export interface TAllocatedIdentity {
  index: number;
  asn: number;
  ipv4: string;
  ipv6: string;
}

/** Allocates index, ASN, IPv4 and IPv6 for a new node at once (each the lowest free). */
export function allocateNodeIdentity(options: TAllocateNodeIdentityOptions): TAllocatedIdentity {
  return {
    index: allocateNodeIndex({
      taken: options.nodes.map((node) => node.index),
      maxIndex: getMaxNodeIndex(options.basePort),
    }),
    asn: allocateAsn({
      taken: options.nodes.map((node) => node.asn),
      asnMin: options.asnMin,
      asnMax: options.asnMax,
    }),
    ipv4: allocateIpv4(
      options.ipv4Pool,
      options.nodes.map((node) => node.ipv4),
    ),
    ipv6: allocateIpv6(
      options.ipv6Pool,
      options.nodes.map((node) => node.ipv6),
    ),
  };
}
