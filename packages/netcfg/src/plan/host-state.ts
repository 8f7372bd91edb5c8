// Typed host state for planning: what the agent observed on the host, what it wants there,
// and what it owns. Plain data (no classes) so states can be compared, cached and dumped.

/** One WireGuard peer as configured on a device. */
export interface TWireguardPeerState {
  publicKey: string;
  /** `[v6]:port` or `v4:port`, canonical (see formatEndpoint), null when unset. */
  endpoint: string | null;
  /** Canonical CIDRs, sorted. */
  allowedIps: string[];
  /** Persistent keepalive in seconds, 0 when off. */
  keepaliveSec: number;
}

/** A WireGuard device's own settings and peers. */
export interface TWireguardDeviceState {
  /** Public key of the device's private key (the private key itself never enters a plan). */
  publicKey: string | null;
  listenPort: number | null;
  /** Sorted by public key. */
  peers: TWireguardPeerState[];
}

/** Kinds of links the planner distinguishes. */
export type TLinkKind = "wireguard" | "dummy" | "loopback" | "other";

/** One network interface as observed. */
export interface TLinkState {
  name: string;
  kind: TLinkKind;
  mtu: number;
  isUp: boolean;
  /** Canonical CIDRs (address/prefix length), sorted. */
  addresses: string[];
  /** Set for WireGuard devices (kernel or wireguard-go). */
  wireguard: TWireguardDeviceState | null;
}

/** BFD timers of the meshover BFD profile. */
export interface TBfdTimers {
  intervalMs: number;
  multiplier: number;
}

/** The part of FRR meshover manages: one BGP instance and one neighbor per tunnel. */
export interface TFrrState {
  asn: number;
  routerId: string;
  /** Networks announced in the IPv4 unicast address family (canonical, sorted). */
  ipv4Networks: string[];
  /** Networks announced in the IPv6 unicast address family (canonical, sorted). */
  ipv6Networks: string[];
  bfd: TBfdTimers;
  /** BGP `coalesce-time` in ms; null when FRR runs its default (the line is absent). */
  coalesceTimeMs: number | null;
  /**
   * Routing policy as FRR prints it: the top-level `ip|ipv6 prefix-list` and `ip|ipv6 route`
   * (blackhole anchor) lines, sorted. They change with any node's advertised prefixes.
   */
  policy: string[];
  /** Tunnel interfaces with a BGP neighbor and its static BFD peer (sorted). */
  neighbors: string[];
}

/** Everything the agent observed on the host that a plan may depend on. */
export interface THostState {
  /** Sorted by name. */
  links: TLinkState[];
  /** Values of the sysctls the planner cares about, as read (trimmed). */
  sysctls: Record<string, string>;
  /** null when FRR is not running or has no meshover BGP instance. */
  frr: TFrrState | null;
}

/** An address meshover put on a device it does not own (e.g. the node address on `lo`). */
export interface TOwnedAddress {
  device: string;
  cidr: string;
}

/** What meshover created on the host, as recorded by the agent. */
export interface TOwnedState {
  /** Interface names meshover created (sorted). */
  links: string[];
  addresses: TOwnedAddress[];
}

/** A link meshover wants and owns. */
export interface TDesiredLink {
  name: string;
  kind: "wireguard" | "dummy";
  /** MTU to set, null to leave the kernel's default. */
  mtu: number | null;
  /** Canonical CIDRs, sorted. */
  addresses: string[];
  wireguard: TWireguardDeviceState | null;
}

/** The host as meshover wants it. */
export interface TDesiredHost {
  /** Sorted by name. */
  links: TDesiredLink[];
  /**
   * Owned links to leave exactly as they are, neither changed nor deleted: a key rotation's old
   * tunnels while traffic moves off them (derive-rotation-tunnels.ts). Sorted.
   */
  keptLinks?: string[];
  /** Addresses on devices meshover does not own (the node addresses on `lo`). */
  hostAddresses: TOwnedAddress[];
  /** Sysctls that must have exactly these values. */
  sysctls: Record<string, string>;
  /** null when FRR is not managed by meshover (`--frr none`). */
  frr: TFrrState | null;
}

/** An empty host state (no links, no sysctls, no FRR). */
export const EMPTY_HOST_STATE: THostState = { links: [], sysctls: {}, frr: null };

/** A host meshover wants nothing on: planning towards it from the ownership record is teardown. */
export const EMPTY_DESIRED_HOST: TDesiredHost = {
  links: [],
  hostAddresses: [],
  sysctls: {},
  frr: null,
};

/** An empty ownership record. */
export const EMPTY_OWNED_STATE: TOwnedState = { links: [], addresses: [] };
