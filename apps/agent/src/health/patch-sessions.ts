// The fast report of a BGP or BFD change: the last report sent with only its sessions (BGP
// state, uptime, prefix counts, BFD) replaced from the `show bgp neighbors json` text the routing
// watcher just read. It needs no process at all, where a full collection runs a dozen (links,
// WireGuard counters, FRR twice, versions) on the cut → red path.
import type { THealthReport } from "@meshover/netcfg";
import { readBgpHealth } from "./collect-health";

/** What the fast report takes from the agent's state now rather than from the last report. */
export interface TReportState {
  appliedVersion: THealthReport["appliedVersion"];
  applyError: THealthReport["applyError"];
  reappliedId: THealthReport["reappliedId"];
}

/**
 * `last` with its peers' sessions as `neighborsJson` shows them, or null when the text cannot
 * be read (the caller then collects a full report). Route candidates and routes are left out:
 * they ride with the reports that read them.
 */
export function patchSessions(
  last: THealthReport,
  neighborsJson: string,
  state: TReportState,
): THealthReport | null {
  let bgp: ReturnType<typeof readBgpHealth>;
  try {
    bgp = readBgpHealth(neighborsJson);
  } catch {
    return null;
  }
  const { routes: _routes, ...rest } = last;
  return {
    ...rest,
    ...state,
    routeCandidates: null,
    peers: last.peers.map((peer) => {
      const session = bgp.get(peer.interface);
      if (!session)
        return {
          ...peer,
          bgpState: null,
          bgpUptimeSec: null,
          prefixesReceived: null,
          prefixesSent: null,
        };
      // bgpd says Up/Down; bfdd (the full report) says up/down/init: keep bfdd's word otherwise.
      const bfd = session.bfdStatus?.toLowerCase();
      return {
        ...peer,
        bgpState: session.state,
        bgpUptimeSec: session.uptimeSec,
        prefixesReceived: session.prefixes,
        prefixesSent: session.prefixesSent,
        bfdState: bfd === "up" || bfd === "down" ? bfd : peer.bfdState,
      };
    }),
    observed: last.observed && { ...last.observed, bgpNeighbors: [...bgp.keys()] },
  };
}
