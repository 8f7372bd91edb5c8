// Targeted vtysh commands for one tunnel's BGP neighbor: adding or removing one never touches
// any other session (a full reload is kept for global changes).
import type { TFrrConfig } from "@meshover/netcfg";

/** vtysh -c arguments adding the neighbor on one tunnel (its interface stanza first). */
export function renderAddNeighborCommands(model: TFrrConfig, device: string): string[] {
  const raIntervalSec = model.interfaces.find((iface) => iface.name === device)?.raIntervalSec ?? 1;
  const description = model.neighbors.find((n) => n.interfaceName === device)?.description;
  return [
    "configure terminal",
    `interface ${device}`,
    `ipv6 nd ra-interval ${raIntervalSec}`,
    "no ipv6 nd suppress-ra",
    "exit",
    `router bgp ${model.asn}`,
    `neighbor ${device} interface peer-group ${model.peerGroup}`,
    ...(description ? [`neighbor ${device} description ${description}`] : []),
  ];
}

/** vtysh -c arguments removing the neighbor on one tunnel. */
export function renderRemoveNeighborCommands(model: TFrrConfig, device: string): string[] {
  return ["configure terminal", `router bgp ${model.asn}`, `no neighbor ${device}`];
}
