// Canonical text forms, so observed and desired values compare as plain strings.
import ipaddr from "ipaddr.js";

/** `addr/len` with the address in canonical (RFC 5952 for IPv6) form; throws on invalid input. */
export function canonicalizeCidr(cidr: string): string {
  const [address, length] = ipaddr.parseCIDR(cidr);
  return `${address.toString()}/${length}`;
}

/** A single address in canonical form; throws on invalid input. */
export function canonicalizeAddress(address: string): string {
  return ipaddr.parse(address).toString();
}

/** `[v6]:port` or `v4:port`, as `wg` prints endpoints. */
export function formatEndpoint(address: string, port: number): string {
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv6"
    ? `[${parsed.toString()}]:${port}`
    : `${parsed.toString()}:${port}`;
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
