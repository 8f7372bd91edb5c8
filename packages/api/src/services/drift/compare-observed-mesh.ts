// Drift of one node: what its desired config says should exist on its host (one WireGuard
// tunnel and one BGP neighbour per peer) against what its agent last observed there. Pure.
import { deriveTunnels, type TDesiredNodeConfig, type TObservedMesh } from "@meshover/netcfg";

/** Observed differences; empty lists mean the host matches the config. */
export interface TMeshDifferences {
  missingTunnels: string[];
  extraTunnels: string[];
  missingNeighbors: string[];
  extraNeighbors: string[];
}

/** Compare the observed tunnels and BGP neighbours with the ones `config` asks for. */
export function compareObservedMesh(
  config: TDesiredNodeConfig,
  observed: TObservedMesh,
  options: { hasFrr: boolean },
): TMeshDifferences {
  const wanted = deriveTunnels(config).map((tunnel) => tunnel.interfaceName);
  const minus = (a: readonly string[], b: readonly string[]) =>
    a.filter((name) => !b.includes(name)).sort();
  return {
    missingTunnels: minus(wanted, observed.tunnels),
    extraTunnels: minus(observed.tunnels, wanted),
    // Without FRR the agent builds no neighbours: nothing is missing or extra.
    missingNeighbors: options.hasFrr ? minus(wanted, observed.bgpNeighbors) : [],
    extraNeighbors: options.hasFrr ? minus(observed.bgpNeighbors, wanted) : [],
  };
}
