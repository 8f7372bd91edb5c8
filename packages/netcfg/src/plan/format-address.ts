// Canonical text forms, so observed and desired values compare as plain strings. Unlike
// normalizePrefix (parse-cidr.ts), which clears host bits to name a network, these keep the
// address as given: an interface address `fe80::1/64` is an address on a prefix, not a network.
import ipaddr from "ipaddr.js";
import { NetcfgError } from "../netcfg-error";

/** `addr/len` with the address in canonical (RFC 5952) form, host bits kept. Throws INVALID_CIDR. */
export function formatInterfaceAddress(cidr: string): string {
  try {
    const [address, length] = ipaddr.parseCIDR(cidr);
    return `${address.toString()}/${length}`;
  } catch {
    throw new NetcfgError("INVALID_CIDR", `"${cidr}" is not an address/length`);
  }
}

/** A single address in canonical form. Throws NetcfgError INVALID_ADDRESS. */
export function canonicalizeAddress(address: string): string {
  try {
    return ipaddr.parse(address).toString();
  } catch {
    throw new NetcfgError("INVALID_ADDRESS", `"${address}" is not an IP address`);
  }
}

/** `[v6]:port` or `v4:port`, as `wg` prints endpoints. Throws NetcfgError INVALID_ADDRESS. */
export function formatEndpoint(address: string, port: number): string {
  const text = canonicalizeAddress(address);
  return text.includes(":") ? `[${text}]:${port}` : `${text}:${port}`;
}

/** Canonical form of an endpoint as `wg` prints it (`[v6]:port`, `v4:port`); null for `(none)`. */
export function canonicalizeEndpoint(endpoint: string): string | null {
  if (endpoint === "(none)" || endpoint === "") return null;
  const match = /^\[(.+)\]:(\d+)$/.exec(endpoint) ?? /^([^:]+):(\d+)$/.exec(endpoint);
  if (!match?.[1] || !match[2]) return null;
  return formatEndpoint(match[1], Number(match[2]));
}

/** True for an IPv6 address or CIDR. */
export function isIpv6(addressOrCidr: string): boolean {
  return addressOrCidr.includes(":");
}
