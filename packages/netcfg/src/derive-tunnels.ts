// Tunnels: one WireGuard interface per peer, everything about it computed from the two node
// indexes, so both ends agree with no coordination (DESIGN.md, Network model).
import type { TDesiredNodeConfig, TPeerConfig } from "./config";
import { NetcfgError } from "./netcfg-error";
import { chooseDirectPath, viewUnderlay, type TUnderlayView } from "./choose-direct-path";
import { parseAddress, type TIpFamily } from "./parse-cidr";

/** Prefix of every tunnel interface meshover creates; the agent owns only names with it. */
export const TUNNEL_INTERFACE_PREFIX = "mo";
/** Linux interface names are at most 15 bytes (IFNAMSIZ 16 with the NUL). */
export const MAX_INTERFACE_NAME_BYTES = 15;
/** Smallest MTU IPv6 allows on a link. */
export const MIN_TUNNEL_MTU = 1280;
/** WireGuard overhead over an IPv6 underlay: 40 IPv6 + 8 UDP + 32 WireGuard. */
export const WIREGUARD_OVERHEAD_IPV6 = 80;
/** WireGuard overhead over an IPv4 underlay: 20 IPv4 + 8 UDP + 32 WireGuard. */
export const WIREGUARD_OVERHEAD_IPV4 = 60;
/** Allowed IPs of every tunnel peer: everything, so BGP alone decides what goes where. */
export const TUNNEL_ALLOWED_IPS: readonly string[] = ["0.0.0.0/0", "::/0"];

/**
 * Which of a pair's two tunnel slots its keys use: a key rotation builds the new tunnel in the
 * other slot beside the old one (make-before-break, derive-rotation-tunnels.ts).
 */
export type TTunnelSlot = 0 | 1;

/**
 * The tunnel interface name for a peer: `mo<peer index>` in slot 0, `mo<peer index>r` in slot 1
 * (stable, ≤ 8 bytes, unique per host).
 */
export function getTunnelInterfaceName(peerIndex: number, slot: TTunnelSlot = 0): string {
  return `${TUNNEL_INTERFACE_PREFIX}${peerIndex}${slot === 1 ? "r" : ""}`;
}

/** True when an interface name is one meshover's tunnels use (`mo` + a decimal index [+ `r`]). */
export function isTunnelInterfaceName(name: string): boolean {
  return /^mo[1-9][0-9]{0,4}r?$/.test(name);
}

/** The peer index a tunnel interface name stands for, or null for any other name. */
export function parseTunnelInterfaceName(
  name: string,
): { index: number; slot: TTunnelSlot } | null {
  if (!isTunnelInterfaceName(name)) return null;
  const isSlot1 = name.endsWith("r");
  return { index: Number(name.slice(2, isSlot1 ? -1 : undefined)), slot: isSlot1 ? 1 : 0 };
}

/**
 * UDP port of the tunnel that listens for the node with index `index`: basePort + index in slot
 * 0, basePort − index in slot 1 (the index limit keeps basePort + index ≤ 65535, so slot 1 never
 * meets slot 0). Both ends compute it from the two indexes and the slot.
 */
export function getTunnelListenPort(basePort: number, index: number, slot: TTunnelSlot): number {
  const port = slot === 0 ? basePort + index : basePort - index;
  if (port < 1 || port > 65535) {
    throw new NetcfgError(
      "INVALID_POOL",
      `tunnel port ${port} for index ${index} (slot ${slot}) is outside 1..65535: lower the node index or raise basePort`,
    );
  }
  return port;
}

/** The slot a pair's current keys use: the sum of both nodes' key slots, mod 2. */
export function getPairSlot(a: { keySlot?: number }, b: { keySlot?: number }): TTunnelSlot {
  return ((a.keySlot ?? 0) + (b.keySlot ?? 0)) % 2 === 0 ? 0 : 1;
}

/**
 * The node's IPv6 link-local address on its tunnels: `fe80::<index as hex>` in slot 0,
 * `fe80::1:<index as hex>` in slot 1. The slots differ so that during a key rotation the two
 * tunnels of a pair have different peer addresses: FRR keys a BFD session by peer and local
 * address, and with the same pair on both tunnels the BGP sessions over both shared one BFD
 * session, which went down with the old tunnel and took the new session down with it.
 */
export function getLinkLocalAddress(nodeIndex: number, slot: TTunnelSlot = 0): string {
  return `fe80::${slot === 1 ? "1:" : ""}${nodeIndex.toString(16)}`;
}

/**
 * The tunnel whose peer has link-local `address` (`fe80::<index>` → `mo<index>`, a rotation's
 * `fe80::1:<index>` → `mo<index>r`), or null for any other address. bfdd sometimes lists
 * bgpd's session to a tunnel peer without its interface.
 */
export function findTunnelOfLinkLocal(address: string): string | null {
  const match = /^fe80::(1:)?([0-9a-f]{1,4})$/i.exec(address);
  const index = match?.[2] === undefined ? 0 : parseInt(match[2], 16);
  return index >= 1 ? getTunnelInterfaceName(index, match?.[1] ? 1 : 0) : null;
}

/** Tunnel MTU for an underlay path MTU and family, clamped to at least 1280. */
export function getTunnelMtu(pathMtu: number, family: TIpFamily): number {
  const overhead = family === "ipv6" ? WIREGUARD_OVERHEAD_IPV6 : WIREGUARD_OVERHEAD_IPV4;
  return Math.max(MIN_TUNNEL_MTU, pathMtu - overhead);
}

/** The underlay endpoint chosen to reach a peer. */
export interface TTunnelEndpoint {
  family: TIpFamily;
  /** Canonical address. */
  address: string;
  port: number;
  /** As WireGuard writes it: `[v6]:port` or `v4:port`. */
  text: string;
}

/** WireGuard's settings for the one peer of a tunnel interface. */
export interface TWireguardPeerSettings {
  publicKey: string;
  allowedIps: string[];
  /** Null when the peer reported no usable endpoint: it can still reach us. */
  endpoint: string | null;
  /** Seconds; 0 turns keepalive off. */
  persistentKeepalive: number;
}

/** Everything about one tunnel interface on this node. */
export interface TTunnel {
  peerId: string;
  peerName: string;
  peerIndex: number;
  peerAsn: number;
  interfaceName: string;
  /** Which of the pair's two slots this tunnel is in (see getPairSlot). */
  slot: TTunnelSlot;
  /** UDP port this interface listens on: basePort + peer.index (slot 0). */
  listenPort: number;
  /** UDP port the peer's interface for us listens on: basePort + self.index (slot 0). */
  remotePort: number;
  endpoint: TTunnelEndpoint | null;
  /** Our link-local address with its length, e.g. `fe80::1/64`. */
  localLinkLocal: string;
  /** The peer's link-local address (no length), e.g. `fe80::2`. */
  peerLinkLocal: string;
  mtu: number;
  /** Where the MTU came from: the fixed setting, a measured path MTU, or the assumed one. */
  mtuSource: "fixed" | "measured" | "assumed";
  wireguardPeer: TWireguardPeerSettings;
}

/** Options of deriveTunnels. */
export interface TDeriveTunnelsOptions {
  /** Underlay path MTU the agent measured, by peer id. */
  measuredPathMtu?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /** This node's underlay parsed once (deriveTunnels passes it; derived when omitted). */
  selfUnderlay?: TUnderlayView | null;
}

/** The node's own underlay view, or null when the controller sent no endpoints (before #17). */
function viewSelfUnderlay(config: TDesiredNodeConfig): TUnderlayView | null {
  const { endpoints } = config.self;
  if (endpoints === undefined) return null;
  return viewUnderlay({ endpoints, isBehindNat: config.self.isBehindNat ?? false });
}

/**
 * The endpoint to dial and the underlay family of the tunnel to `peer`: by the pair's direct
 * path (choose-direct-path.ts) when the controller sent this node's own endpoints, else the
 * peer's first endpoint (IPv6 first), as before #17. A peer behind NAT gets no endpoint: it
 * dials us. The family is null when unknown.
 */
function choosePeerEndpoint(
  self: TUnderlayView | null,
  peer: TPeerConfig,
  port: number,
): { endpoint: TTunnelEndpoint | null; family: TIpFamily | null } {
  if (self === null) {
    const endpoint = chooseEndpoint(peer.endpoints, port);
    return { endpoint, family: endpoint?.family ?? null };
  }
  const path = chooseDirectPath(
    self,
    viewUnderlay({ endpoints: peer.endpoints, isBehindNat: peer.isBehindNat ?? false }),
  );
  if (path.kind === "none") return { endpoint: null, family: null };
  const endpoint = path.peerAddress === null ? null : chooseEndpoint([path.peerAddress], port);
  return { endpoint, family: path.family };
}

/**
 * Picks the endpoint to reach a peer: its first valid IPv6 endpoint, else its first valid IPv4
 * one (IPv6 preferred: no NAT in the way, DESIGN.md). Unparseable entries are skipped.
 */
export function chooseEndpoint(endpoints: readonly string[], port: number): TTunnelEndpoint | null {
  const parsed = endpoints.flatMap((text) => {
    try {
      return [parseAddress(text)];
    } catch {
      return [];
    }
  });
  const chosen = parsed.find((a) => a.family === "ipv6") ?? parsed.find((a) => a.family === "ipv4");
  if (!chosen) return null;
  const text = chosen.family === "ipv6" ? `[${chosen.text}]:${port}` : `${chosen.text}:${port}`;
  return { family: chosen.family, address: chosen.text, port, text };
}

function readMeasured(options: TDeriveTunnelsOptions, peerId: string): number | undefined {
  const measured = options.measuredPathMtu;
  if (!measured) return undefined;
  return measured instanceof Map
    ? (measured as ReadonlyMap<string, number>).get(peerId)
    : (measured as Readonly<Record<string, number>>)[peerId];
}

/** Another tunnel to the same peer than its current one (a key rotation's second tunnel). */
export interface TTunnelVariant {
  slot: TTunnelSlot;
  /** The peer's key on this tunnel. */
  peerPublicKey: string;
}

/** The tunnel to one peer (its current keys, unless `variant` says otherwise). See deriveTunnels. */
export function deriveTunnel(
  config: TDesiredNodeConfig,
  peer: TPeerConfig,
  options: TDeriveTunnelsOptions = {},
  variant: TTunnelVariant = { slot: getPairSlot(config.self, peer), peerPublicKey: peer.publicKey },
): TTunnel {
  const { settings, self } = config;
  const { slot } = variant;
  const remotePort = getTunnelListenPort(settings.basePort, self.index, slot);
  const selfUnderlay =
    options.selfUnderlay === undefined ? viewSelfUnderlay(config) : options.selfUnderlay;
  const { endpoint, family: pathFamily } = choosePeerEndpoint(selfUnderlay, peer, remotePort);
  const measured = readMeasured(options, peer.id);
  let mtu: number;
  let mtuSource: TTunnel["mtuSource"];
  if (settings.tunnelMtu !== null) {
    mtu = settings.tunnelMtu;
    mtuSource = "fixed";
  } else {
    // With the family unknown, assume IPv6, the larger overhead, to be safe.
    const family = pathFamily ?? "ipv6";
    const isMeasured = measured !== undefined && Number.isFinite(measured) && measured > 0;
    mtu = getTunnelMtu(isMeasured ? measured : settings.underlayMtu, family);
    mtuSource = isMeasured ? "measured" : "assumed";
  }
  return {
    peerId: peer.id,
    peerName: peer.name,
    peerIndex: peer.index,
    peerAsn: peer.asn,
    interfaceName: getTunnelInterfaceName(peer.index, slot),
    slot,
    listenPort: getTunnelListenPort(settings.basePort, peer.index, slot),
    remotePort,
    endpoint,
    localLinkLocal: `${getLinkLocalAddress(self.index, slot)}/64`,
    peerLinkLocal: getLinkLocalAddress(peer.index, slot),
    mtu,
    mtuSource,
    wireguardPeer: {
      publicKey: variant.peerPublicKey,
      allowedIps: [...TUNNEL_ALLOWED_IPS],
      endpoint: endpoint?.text ?? null,
      persistentKeepalive: settings.keepaliveSec,
    },
  };
}

/**
 * Every tunnel of a node, one per peer, ordered by peer index. On node A the tunnel for peer B
 * is `mo<B.index>`, listens on basePort + B.index and sends to B's endpoint at
 * basePort + A.index, which is exactly where B's tunnel for A listens.
 */
export function deriveTunnels(
  config: TDesiredNodeConfig,
  options: TDeriveTunnelsOptions = {},
): TTunnel[] {
  const withSelf = { ...options, selfUnderlay: viewSelfUnderlay(config) };
  return [...config.peers]
    .sort((a, b) => a.index - b.index)
    .map((peer) => deriveTunnel(config, peer, withSelf));
}
