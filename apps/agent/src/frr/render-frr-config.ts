// FRR configuration text for meshover's part of FRR, from the planner's typed FRR state.
// (The agent's own renderer; the same model drives the targeted per-neighbor vtysh commands.)
import { FRR_BFD_PROFILE, type TFrrState } from "@meshover/netcfg";

/** The BGP peer group every tunnel neighbor joins. */
export const FRR_PEER_GROUP = "MESHOVER";

/** Lines configuring one tunnel interface for unnumbered BGP (fast router advertisements). */
export function renderInterfaceLines(device: string): string[] {
  return [`interface ${device}`, " ipv6 nd ra-interval 1", " no ipv6 nd suppress-ra", "exit"];
}

/** The full configuration (integrated frr.conf body) for `state`. */
export function renderFrrConfig(state: TFrrState): string {
  const lines: string[] = [
    "frr defaults datacenter",
    "ip forwarding",
    "ipv6 forwarding",
    "service integrated-vtysh-config",
    "!",
    // Never accept or announce a default route over the mesh; everything else is routed.
    "ip prefix-list MESHOVER-V4 seq 5 deny 0.0.0.0/0",
    "ip prefix-list MESHOVER-V4 seq 10 permit 0.0.0.0/0 le 32",
    "ipv6 prefix-list MESHOVER-V6 seq 5 deny ::/0",
    "ipv6 prefix-list MESHOVER-V6 seq 10 deny fe80::/10 le 128",
    "ipv6 prefix-list MESHOVER-V6 seq 15 permit ::/0 le 128",
    "!",
    "route-map MESHOVER-V4 permit 10",
    " match ip address prefix-list MESHOVER-V4",
    "exit",
    "!",
    "route-map MESHOVER-V6 permit 10",
    " match ipv6 address prefix-list MESHOVER-V6",
    "exit",
    "!",
  ];
  for (const device of state.neighbors) lines.push(...renderInterfaceLines(device), "!");
  lines.push(
    `router bgp ${state.asn}`,
    ` bgp router-id ${state.routerId}`,
    ` neighbor ${FRR_PEER_GROUP} peer-group`,
    ` neighbor ${FRR_PEER_GROUP} remote-as external`,
    ` neighbor ${FRR_PEER_GROUP} bfd`,
    ` neighbor ${FRR_PEER_GROUP} bfd profile ${FRR_BFD_PROFILE}`,
    // Retry a refused connection after 2 s, not 10: a tunnel that just came up peers quickly.
    ` neighbor ${FRR_PEER_GROUP} timers connect 2`,
  );
  for (const device of state.neighbors) {
    lines.push(` neighbor ${device} interface peer-group ${FRR_PEER_GROUP}`);
  }
  lines.push(" !", " address-family ipv4 unicast");
  for (const network of state.ipv4Networks) lines.push(`  network ${network}`);
  lines.push(
    `  neighbor ${FRR_PEER_GROUP} route-map MESHOVER-V4 in`,
    `  neighbor ${FRR_PEER_GROUP} route-map MESHOVER-V4 out`,
    " exit-address-family",
    " !",
    " address-family ipv6 unicast",
  );
  for (const network of state.ipv6Networks) lines.push(`  network ${network}`);
  lines.push(
    `  neighbor ${FRR_PEER_GROUP} activate`,
    `  neighbor ${FRR_PEER_GROUP} route-map MESHOVER-V6 in`,
    `  neighbor ${FRR_PEER_GROUP} route-map MESHOVER-V6 out`,
    " exit-address-family",
    "exit",
    "!",
    "bfd",
    ` profile ${FRR_BFD_PROFILE}`,
    `  detect-multiplier ${state.bfd.multiplier}`,
    `  receive-interval ${state.bfd.intervalMs}`,
    `  transmit-interval ${state.bfd.intervalMs}`,
    " exit",
    "exit",
    "!",
  );
  return `${lines.join("\n")}\n`;
}

/** vtysh -c arguments adding the neighbor on one tunnel (interface settings first). */
export function renderAddNeighborCommands(asn: number, device: string): string[] {
  return [
    "configure terminal",
    `interface ${device}`,
    "ipv6 nd ra-interval 1",
    "no ipv6 nd suppress-ra",
    "exit",
    `router bgp ${asn}`,
    `neighbor ${device} interface peer-group ${FRR_PEER_GROUP}`,
  ];
}

/** vtysh -c arguments removing the neighbor on one tunnel. */
export function renderRemoveNeighborCommands(asn: number, device: string): string[] {
  return ["configure terminal", `router bgp ${asn}`, `no neighbor ${device}`];
}
