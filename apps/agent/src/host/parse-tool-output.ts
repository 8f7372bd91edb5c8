// Readers for `ip -d -json link`, `ip -json addr` and `wg show all dump`, into the planner's
// types plus the live counters health reports need. The ip readers are the agent's own because
// they need fields netcfg's parsers leave out (linkinfo kind for dummy links, the
// stable-privacy flag of kernel-made link-locals); the wg dump goes through netcfg's parser.
import { z } from "zod";
import {
  parseWgDump,
  canonicalizeCidr,
  canonicalizeEndpoint,
  type TLinkKind,
  type TWireguardDeviceState,
} from "@meshover/netcfg";

const ZIpLink = z.object({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number(),
  link_type: z.string().optional(),
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
});

const ZIpAddr = z.object({
  ifname: z.string(),
  addr_info: z
    .array(
      z
        .object({
          local: z.string(),
          prefixlen: z.number(),
          "stable-privacy": z.boolean().optional(),
        })
        .loose(),
    )
    .default([]),
});

/** A link as `ip -d -json link show` describes it. */
export interface TIpLink {
  name: string;
  kind: TLinkKind;
  /** linkinfo.info_kind: wireguard, tun, dummy, veth, ... */
  infoKind: string | null;
  mtu: number;
  isUp: boolean;
}

/** Parse `ip -d -json link show`. */
export function parseIpLinks(json: string): TIpLink[] {
  return z
    .array(ZIpLink)
    .parse(JSON.parse(json))
    .map((link) => {
      const infoKind = link.linkinfo?.info_kind ?? null;
      let kind: TLinkKind = "other";
      if (link.link_type === "loopback") kind = "loopback";
      else if (infoKind === "dummy") kind = "dummy";
      else if (infoKind === "wireguard") kind = "wireguard";
      return { name: link.ifname, kind, infoKind, mtu: link.mtu, isUp: link.flags.includes("UP") };
    });
}

/**
 * Parse `ip -json addr show` into canonical CIDRs per device. Kernel-generated link-locals
 * (stable-privacy) are left out: meshover neither sets nor removes them.
 */
export function parseIpAddresses(json: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const link of z.array(ZIpAddr).parse(JSON.parse(json))) {
    const addresses = link.addr_info
      .filter((info) => info["stable-privacy"] !== true)
      .map((info) => canonicalizeCidr(`${info.local}/${info.prefixlen}`));
    result.set(link.ifname, addresses.sort());
  }
  return result;
}

/** Live counters of one WireGuard peer. */
export interface TWireguardPeerCounters {
  device: string;
  publicKey: string;
  endpoint: string | null;
  /** Unix seconds of the latest handshake, 0 for none. */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
}

/** `wg show all dump`, as planner state per device plus counters per peer. */
export interface TWireguardDump {
  devices: Map<string, TWireguardDeviceState>;
  counters: TWireguardPeerCounters[];
}

/** `wg show all dump` (netcfg's parser) as planner state per device plus counters per peer. */
export function parseWireguardDump(text: string): TWireguardDump {
  const devices = new Map<string, TWireguardDeviceState>();
  const counters: TWireguardPeerCounters[] = [];
  for (const device of parseWgDump(text)) {
    const peers = device.peers.map((peer) => {
      const endpoint = peer.endpoint === null ? null : canonicalizeEndpoint(peer.endpoint);
      counters.push({
        device: device.name,
        publicKey: peer.publicKey,
        endpoint,
        latestHandshake: peer.latestHandshakeSec ?? 0,
        rxBytes: peer.rxBytes,
        txBytes: peer.txBytes,
      });
      return {
        publicKey: peer.publicKey,
        endpoint,
        allowedIps: peer.allowedIps.map(canonicalizeCidr).sort(),
        keepaliveSec: peer.persistentKeepaliveSec ?? 0,
      };
    });
    devices.set(device.name, {
      publicKey: device.publicKey,
      listenPort: device.listenPort,
      peers: peers.sort((a, b) => a.publicKey.localeCompare(b.publicKey)),
    });
  }
  return { devices, counters };
}
