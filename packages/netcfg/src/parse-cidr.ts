// Address and prefix parsing on top of ipaddr.js. Addresses become bigints internally so pool
// arithmetic (offsets, sizes, overlap) is exact for IPv6 too; text output is always the
// canonical form (dotted quad, RFC 5952 for IPv6), so equal prefixes compare equal as strings.
import ipaddr from "ipaddr.js";
import { NetcfgError } from "./netcfg-error";

/** An IP family. */
export type TIpFamily = "ipv4" | "ipv6";

/** A parsed address. */
export interface TParsedAddress {
  family: TIpFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  value: bigint;
  /** Canonical text (dotted quad or RFC 5952). */
  text: string;
}

/** A parsed, normalised prefix. */
export interface TParsedCidr {
  family: TIpFamily;
  /** First address of the prefix (host bits zero). */
  network: bigint;
  /** Last address of the prefix. */
  last: bigint;
  prefixLength: number;
  /** Canonical text, e.g. `10.128.0.0/16`, `fd12:3456:789a::/48`. */
  text: string;
}

/** Number of bits in an address of the family. */
export function getAddressBits(family: TIpFamily): 32 | 128 {
  return family === "ipv4" ? 32 : 128;
}

/** Formats an integer address of a family as canonical text. */
export function formatAddress(family: TIpFamily, value: bigint): string {
  if (family === "ipv4") {
    const n = Number(value);
    return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((value >> shift) & 0xffffn));
  return formatIpv6Parts(parts);
}

/** RFC 5952 text of eight 16-bit groups: lowercase, longest run (≥ 2) of zeros as `::`. */
function formatIpv6Parts(parts: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (parts[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = parts.map((part) => part.toString(16));
  if (bestStart < 0) return hex.join(":");
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

function toBigint(address: ipaddr.IPv4): bigint {
  const [a = 0, b = 0, c = 0, d = 0] = address.octets;
  return BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Value of a hex digit's char code, or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Fast path for the common IPv6 form (hex groups with at most one `::`), because ipaddr.js's
 * regex parser dominates FRR rendering for large meshes. A single scan; returns null for
 * anything else (embedded IPv4, bad text), never accepting text ipaddr.js would refuse (the
 * property tests compare both).
 */
function parseHexIpv6(text: string): number[] | null {
  const parts: number[] = [];
  let gapAt = -1;
  let value = 0;
  let digits = 0;
  let i = 0;
  const length = text.length;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return null;
    gapAt = 0;
    i = 2;
  }
  for (; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 58) {
      if (digits === 0) return null;
      parts.push(value);
      value = 0;
      digits = 0;
      if (text.charCodeAt(i + 1) === 58) {
        if (gapAt >= 0) return null;
        gapAt = parts.length;
        i += 1;
      } else if (i + 1 === length) {
        return null;
      }
      continue;
    }
    const digit = hexValue(code);
    if (digit < 0 || digits === 4) return null;
    value = value * 16 + digit;
    digits += 1;
  }
  if (digits > 0) parts.push(value);
  if (gapAt < 0) return parts.length === 8 ? parts : null;
  if (parts.length > 7) return null;
  const zeros = new Array<number>(8 - parts.length).fill(0);
  parts.splice(gapAt, 0, ...zeros);
  return parts;
}

/**
 * Parses an IPv4 address (strict dotted quad, no `10.1` shorthand or octal) or an IPv6 address
 * (no zone id). Throws NetcfgError INVALID_ADDRESS otherwise.
 */
export function parseAddress(text: string): TParsedAddress {
  const trimmed = text.trim();
  // The regex first: ipaddr.js's IPv4 check is slow on IPv6 text (it tries every IPv4 form).
  if (DOTTED_QUAD.test(trimmed) && ipaddr.IPv4.isValidFourPartDecimal(trimmed)) {
    const value = toBigint(ipaddr.IPv4.parse(trimmed));
    return { family: "ipv4", value, text: formatAddress("ipv4", value) };
  }
  // Zone ids (fe80::1%eth0) mean nothing outside one host, so they are refused.
  if (trimmed.includes(":") && !trimmed.includes("%")) {
    let parts = parseHexIpv6(trimmed);
    if (!parts) {
      // Forms the fast path does not take (embedded IPv4, ...): ipaddr.js decides.
      try {
        parts = ipaddr.IPv6.parse(trimmed).parts;
      } catch {
        parts = null;
      }
    }
    if (parts) {
      let value = 0n;
      for (const part of parts) value = (value << 16n) | BigInt(part);
      return { family: "ipv6", value, text: formatIpv6Parts(parts) };
    }
  }
  throw new NetcfgError("INVALID_ADDRESS", `"${text}" is not an IPv4 or IPv6 address`);
}

/** True when `text` is an IPv4 or IPv6 address parseAddress accepts. */
export function isValidAddress(text: string): boolean {
  try {
    parseAddress(text);
    return true;
  } catch {
    return false;
  }
}

/** Options of parseCidr. */
export interface TParseCidrOptions {
  /**
   * Accept host bits and clear them (`10.0.0.1/8` → `10.0.0.0/8`). Off by default: an admin
   * who typed host bits most likely mistyped, so they get an error naming the network instead.
   */
  isHostBitsAllowed?: boolean;
}

/** Mask of the host part of a prefix. */
function hostMask(family: TIpFamily, prefixLength: number): bigint {
  return (1n << BigInt(getAddressBits(family) - prefixLength)) - 1n;
}

/**
 * Parses a CIDR prefix `address/length` into its normalised form. Throws NetcfgError
 * INVALID_CIDR for bad text, a bad length, or (unless allowed) host bits set.
 */
export function parseCidr(text: string, options: TParseCidrOptions = {}): TParsedCidr {
  const trimmed = text.trim();
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(trimmed);
  if (!match) {
    throw new NetcfgError("INVALID_CIDR", `"${text}" is not a CIDR prefix (address/length)`);
  }
  let address: TParsedAddress;
  try {
    address = parseAddress(match[1] ?? "");
  } catch {
    throw new NetcfgError("INVALID_CIDR", `"${text}" does not start with a valid IP address`);
  }
  const prefixLength = Number(match[2]);
  const bits = getAddressBits(address.family);
  if (prefixLength > bits || ((match[2] ?? "").length > 1 && (match[2] ?? "").startsWith("0"))) {
    throw new NetcfgError(
      "INVALID_CIDR",
      `"${text}": prefix length must be 0..${bits} for ${address.family}`,
    );
  }
  const mask = hostMask(address.family, prefixLength);
  const network = address.value & ~mask;
  const normalised = `${formatAddress(address.family, network)}/${prefixLength}`;
  if (network !== address.value && !options.isHostBitsAllowed) {
    throw new NetcfgError(
      "INVALID_CIDR",
      `"${text}" has host bits set; the network is ${normalised}`,
    );
  }
  return { family: address.family, network, last: network | mask, prefixLength, text: normalised };
}

/** True when `text` is a CIDR prefix with no host bits set. */
export function isValidCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

/** Canonical text of a network prefix, clearing host bits: ` FD00::1/8 ` → `fd00::/8`. */
export function normalizePrefix(text: string): string {
  return parseCidr(text, { isHostBitsAllowed: true }).text;
}

/** True when two prefixes share at least one address (never across families). */
export function isCidrOverlap(a: TParsedCidr | string, b: TParsedCidr | string): boolean {
  const left = typeof a === "string" ? parseCidr(a) : a;
  const right = typeof b === "string" ? parseCidr(b) : b;
  return left.family === right.family && left.network <= right.last && right.network <= left.last;
}

/** True when the address lies inside the prefix. */
export function isAddressInCidr(
  address: TParsedAddress | string,
  cidr: TParsedCidr | string,
): boolean {
  const parsedAddress = typeof address === "string" ? parseAddress(address) : address;
  const parsedCidr = typeof cidr === "string" ? parseCidr(cidr) : cidr;
  return (
    parsedAddress.family === parsedCidr.family &&
    parsedAddress.value >= parsedCidr.network &&
    parsedAddress.value <= parsedCidr.last
  );
}

/** One overlapping pair found by findCidrOverlaps, as canonical text. */
export interface TCidrOverlap {
  a: string;
  b: string;
}

/**
 * Every overlapping pair between list `a` and list `b` (or within `a` when `b` is omitted;
 * then identical entries count as overlapping too). Sorted, deterministic.
 */
export function findCidrOverlaps(a: readonly string[], b?: readonly string[]): TCidrOverlap[] {
  const left = a.map((text) => parseCidr(text));
  const right = b ? b.map((text) => parseCidr(text)) : null;
  const overlaps: TCidrOverlap[] = [];
  left.forEach((cidr, i) => {
    const others = right ?? left.slice(i + 1);
    for (const other of others) {
      if (isCidrOverlap(cidr, other)) overlaps.push({ a: cidr.text, b: other.text });
    }
  });
  return overlaps;
}
