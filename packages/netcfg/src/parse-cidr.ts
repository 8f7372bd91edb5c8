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
    const octets = [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn));
    return octets.join(".");
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

function toBigint(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let value = 0n;
  for (const byte of address.toByteArray()) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Parses an IPv4 address (strict dotted quad, no `10.1` shorthand or octal) or an IPv6 address
 * (no zone id). Throws NetcfgError INVALID_ADDRESS otherwise.
 */
export function parseAddress(text: string): TParsedAddress {
  const trimmed = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(trimmed)) {
    const value = toBigint(ipaddr.IPv4.parse(trimmed));
    return { family: "ipv4", value, text: formatAddress("ipv4", value) };
  }
  // Zone ids (fe80::1%eth0) mean nothing outside one host, so they are refused.
  if (ipaddr.IPv6.isValid(trimmed) && !trimmed.includes("%")) {
    const value = toBigint(ipaddr.IPv6.parse(trimmed));
    return { family: "ipv6", value, text: formatAddress("ipv6", value) };
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

/** Canonical text of a prefix, clearing host bits: ` FD00::1/8 ` → `fd00::/8`. */
export function normalizeCidr(text: string): string {
  return parseCidr(text, { isHostBitsAllowed: true }).text;
}

/** True when two prefixes share at least one address (never across families). */
export function isCidrOverlap(a: TParsedCidr | string, b: TParsedCidr | string): boolean {
  const left = typeof a === "string" ? parseCidr(a) : a;
  const right = typeof b === "string" ? parseCidr(b) : b;
  return left.family === right.family && left.network <= right.last && right.network <= left.last;
}

/** True when the address lies inside the prefix. */
export function isAddressInCidr(address: TParsedAddress | string, cidr: TParsedCidr | string) {
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
