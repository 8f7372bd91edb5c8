// Targeted vtysh commands for one tunnel's BGP neighbor, rendered from the same model and the
// same line helpers as frr.conf (render-frr-config.ts): adding or removing one neighbor never
// touches another session, and the text cannot drift from what a reload would write.
import type { TFrrConfig } from "./derive-frr-config";
import { NetcfgError } from "./netcfg-error";
import { getLinkLocalAddress, parseTunnelInterfaceName } from "./derive-tunnels";
import { renderBfdPeerLines, renderInterfaceLines, renderNeighborLines } from "./render-frr-config";

/** `vtysh -c` commands adding the neighbor on one tunnel (its interface stanza first). */
export function renderAddNeighborCommands(model: TFrrConfig, device: string): string[] {
  const iface = model.interfaces.find((candidate) => candidate.name === device);
  const neighbor = model.neighbors.find((candidate) => candidate.interfaceName === device);
  const bfdPeer = model.bfdPeers.find((candidate) => candidate.interfaceName === device);
  if (!iface || !neighbor || !bfdPeer) {
    throw new NetcfgError("INVALID_PLAN", `no FRR neighbor on ${device} in the model`);
  }
  return [
    "configure terminal",
    ...renderInterfaceLines(iface).map((line) => line.trim()),
    // The BFD session before the neighbor, so bgpd's registration finds it (renderFrrConfig).
    "bfd",
    ...renderBfdPeerLines(bfdPeer, model.bfd.profile).map((line) => line.trim()),
    "exit",
    `router bgp ${model.asn}`,
    ...renderNeighborLines(neighbor, model.peerGroup).map((line) => line.trim()),
  ];
}

/** `vtysh -c` commands removing the neighbor on one tunnel. */
export function renderRemoveNeighborCommands(model: TFrrConfig, device: string): string[] {
  const commands = ["configure terminal", `router bgp ${model.asn}`, `no neighbor ${device}`];
  // The peer is gone from the model: its link-local follows from the tunnel name (mo<index>,
  // or mo<index>r for the other slot of a key rotation).
  const tunnel = parseTunnelInterfaceName(device);
  if (!tunnel) return commands;
  const peer = {
    interfaceName: device,
    peerAddress: getLinkLocalAddress(tunnel.index, tunnel.slot),
  };
  const [peerLine] = renderBfdPeerLines(peer, model.bfd.profile);
  return [...commands, "exit", "bfd", `no ${peerLine!.trim()}`];
}

/**
 * `vtysh -c` commands asking every peer to resend its routes (route refresh, no session reset).
 * bgpd does not re-run a changed inbound prefix list over routes it already dropped, so a
 * prefix announced before our filter admitted it would otherwise never be installed.
 */
export const REFRESH_INBOUND_COMMANDS: readonly string[] = [
  "clear bgp ipv4 unicast * soft in",
  "clear bgp ipv6 unicast * soft in",
];
