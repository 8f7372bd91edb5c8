// From the controller's desired node config (plus the tunnels derived for it and local facts
// only the agent knows: its public key, where node addresses live, whether FRR is managed)
// to the host state the planner aims at.
import { compareText } from "../compare-text";
import type { TDesiredNodeConfig } from "../config";
import { deriveFrrConfig } from "../derive-frr-config";
import type { TTunnel } from "../derive-tunnels";
import { renderFrrConfig } from "../render-frr-config";
import { parseFrrRunningConfig } from "./parse-frr-running-config";
import type { TRouteHostState } from "../derive-route-policy";
import type { TDesiredHost, TDesiredLink, TFrrState } from "./host-state";
import { formatInterfaceAddress } from "./format-address";

/** One tunnel as the planner needs it (derived per peer by the tunnel model). */
export interface TPlanTunnel {
  /** Interface name, `mo<peer index>` (`mo<peer index>r` in the pair's second slot). */
  device: string;
  /** This node's public key on this tunnel when it is not the node's current one (rotation). */
  localPublicKey?: string;
  listenPort: number;
  mtu: number;
  /** Addresses on the tunnel (this node's link-local, CIDR). */
  addresses: string[];
  peer: {
    publicKey: string;
    /** `[v6]:port` / `v4:port`, null when the peer has no endpoint yet. */
    endpoint: string | null;
    allowedIps: string[];
    keepaliveSec: number;
  };
}

/** The planner's view of a tunnel from the tunnel model (deriveTunnels). */
export function toPlanTunnel(tunnel: TTunnel): TPlanTunnel {
  return {
    device: tunnel.interfaceName,
    listenPort: tunnel.listenPort,
    mtu: tunnel.mtu,
    addresses: [tunnel.localLinkLocal],
    peer: {
      publicKey: tunnel.wireguardPeer.publicKey,
      endpoint: tunnel.wireguardPeer.endpoint,
      allowedIps: tunnel.wireguardPeer.allowedIps,
      keepaliveSec: tunnel.wireguardPeer.persistentKeepalive,
    },
  };
}

/** Local facts the desired host depends on besides the config. */
export interface TDeriveDesiredHostOptions {
  config: TDesiredNodeConfig;
  tunnels: readonly TPlanTunnel[];
  /** This node's current WireGuard public key. */
  publicKey: string;
  /** `meshover0` (a dummy meshover creates) or `lo` where the kernel has no dummy links. */
  addressDevice: "meshover0" | "lo";
  /** False with `--frr none`: the planner then leaves routing alone. */
  isFrrManaged: boolean;
  /** Tunnel links to leave exactly as they are: a rotation's old tunnels (toRotationPlanTunnels). */
  keptDevices?: readonly string[];
  /** Tunnels with a BGP neighbor; every tunnel in `tunnels` when omitted. */
  routedDevices?: readonly string[];
  /** What the agent discovered for route sources (interfaces, pod CIDRs, refusals). */
  routeHost?: TRouteHostState;
}

/** The name of the dummy link holding the node addresses where dummy links exist. */
export const ADDRESS_DEVICE = "meshover0";

/**
 * Sysctls every meshover node needs: forwarding, and no reverse-path filter on the tunnels.
 * A tunnel has no IPv4 address, and for such a device the kernel's rp_filter drops an IPv4
 * packet whose source does not route back through that very device, loose mode (2) included
 * (fib_validate_source: no address → no loose fallback). A mesh routes asymmetrically all the
 * time: during a key rotation one end moves its routes to the new tunnel while the other still
 * sends on the old one, and a relayed or failed-over path may come back another way. The kernel
 * filters with the larger of `all` and the device's value, so `all` is 0 as well (Ubuntu sets it
 * to 2); the host's other interfaces keep their own values.
 */
export function deriveSysctls(tunnelDevices: readonly string[]): Record<string, string> {
  const sysctls: Record<string, string> = {
    "net.ipv4.ip_forward": "1",
    "net.ipv6.conf.all.forwarding": "1",
    "net.ipv4.conf.all.rp_filter": "0",
  };
  for (const device of tunnelDevices) sysctls[`net.ipv4.conf.${device}.rp_filter`] = "0";
  return sysctls;
}

/**
 * The FRR part meshover manages for this config and these tunnel devices, in the planner's
 * terms, taken from the FRR model (deriveFrrConfig) the agent renders, so the two never disagree.
 */
export function deriveFrrState(
  config: TDesiredNodeConfig,
  devices: readonly string[],
  routeHost?: TRouteHostState,
): TFrrState {
  const model = deriveFrrConfig(config, { routeHost });
  // The rendered text read back by the same parser as FRR's running config, so both sides
  // compare the same lines (route-source networks and route-maps included).
  const rendered = parseFrrRunningConfig(renderFrrConfig(model));
  const policy = rendered?.policy ?? [];
  return {
    asn: model.asn,
    routerId: model.routerId,
    ipv4Networks: rendered?.ipv4Networks ?? [],
    ipv6Networks: rendered?.ipv6Networks ?? [],
    bfd: { intervalMs: model.bfd.intervalMs, multiplier: model.bfd.multiplier },
    coalesceTimeMs: model.coalesceTimeMs,
    policy: policy.sort(),
    neighbors: [...devices].sort(),
  };
}

/** The host state meshover wants for this node. */
export function deriveDesiredHost(options: TDeriveDesiredHostOptions): TDesiredHost {
  const { config, tunnels } = options;
  const nodeAddresses = [
    formatInterfaceAddress(`${config.self.ipv4}/32`),
    formatInterfaceAddress(`${config.self.ipv6}/128`),
  ].sort();
  const links: TDesiredLink[] = tunnels.map((tunnel) => ({
    name: tunnel.device,
    kind: "wireguard",
    mtu: tunnel.mtu,
    addresses: tunnel.addresses.map(formatInterfaceAddress).sort(),
    wireguard: {
      publicKey: tunnel.localPublicKey ?? options.publicKey,
      listenPort: tunnel.listenPort,
      peers: [
        { ...tunnel.peer, allowedIps: tunnel.peer.allowedIps.map(formatInterfaceAddress).sort() },
      ],
    },
  }));
  if (options.addressDevice === ADDRESS_DEVICE) {
    links.push({
      name: ADDRESS_DEVICE,
      kind: "dummy",
      mtu: null,
      addresses: nodeAddresses,
      wireguard: null,
    });
  }
  const kept = [...(options.keptDevices ?? [])].sort();
  const devices = [...tunnels.map((tunnel) => tunnel.device), ...kept];
  const routed = options.routedDevices ?? tunnels.map((tunnel) => tunnel.device);
  return {
    links: links.sort((a, b) => compareText(a.name, b.name)),
    ...(kept.length > 0 ? { keptLinks: kept } : {}),
    hostAddresses:
      options.addressDevice === "lo" ? nodeAddresses.map((cidr) => ({ device: "lo", cidr })) : [],
    sysctls: deriveSysctls(devices),
    frr: options.isFrrManaged ? deriveFrrState(config, routed, options.routeHost) : null,
  };
}
