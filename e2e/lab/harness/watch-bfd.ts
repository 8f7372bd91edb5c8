// How long a node's BGP sessions run without BFD protection: for each session, from the poll
// that first saw it Established to the poll that first saw its BFD session up, both read from
// the same `show bgp neighbors json` (bgpd's own view of BFD: what tears a session down on a
// failure). FRR's uptimes count whole seconds, so polling is the finer clock here: each figure
// is good to one poll (~0.1-0.3 s on the shared lab machine).
import type { TLabNode } from "./create-lab";
import { readBgpNeighbors } from "./observe-node";
import { LabTimeoutError, sleep } from "./wait-until";

/** One BGP session of the watched node. */
export interface TBfdLag {
  /** The neighbor (tunnel interface). */
  name: string;
  /** Epoch ms of the poll that first saw the session Established. */
  establishedAt: number;
  /** Epoch ms of the poll that first saw bgpd's BFD status Up (≤ establishedAt: already up). */
  bfdUpAt: number;
  /** bfdUpAt − establishedAt. */
  lagMs: number;
}

/** Options of {@link watchBfdLag}. */
export interface TWatchBfdLagOptions {
  /** Sessions to wait for (the node's peer count). */
  sessions: number;
  timeoutMs: number;
  /** Pause between polls. */
  intervalMs?: number;
}

/**
 * Poll `node` until `sessions` BGP sessions are Established with BFD up (as bgpd sees it);
 * returns each session's lag, by neighbor name, and the longest gap between two polls.
 */
export async function watchBfdLag(node: TLabNode, options: TWatchBfdLagOptions) {
  const name = `${options.sessions} BGP sessions of ${node.name} Established with BFD up`;
  const deadline = Date.now() + options.timeoutMs;
  const establishedAt = new Map<string, number>();
  const bfdUpAt = new Map<string, number>();
  let state: string;
  let lastPollAt: number | null = null;
  let longestPollGapMs = 0;
  for (;;) {
    try {
      const neighbors = await readBgpNeighbors(node);
      // The snapshot is somewhere inside the call: date it at its end.
      const at = Date.now();
      if (lastPollAt !== null) longestPollGapMs = Math.max(longestPollGapMs, at - lastPollAt);
      lastPollAt = at;
      for (const neighbor of neighbors.values()) {
        if (neighbor.isEstablished && !establishedAt.has(neighbor.name)) {
          establishedAt.set(neighbor.name, at);
        }
        if (neighbor.bfdStatus === "Up" && !bfdUpAt.has(neighbor.name)) {
          bfdUpAt.set(neighbor.name, at);
        }
      }
      state = [...neighbors.values()]
        .map((n) => `${n.name}=${n.state}/bfd ${n.bfdStatus ?? "none"}`)
        .join(" ");
    } catch (error) {
      state = `FRR not answering: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}`;
    }
    const done = [...establishedAt.keys()].filter((key) => bfdUpAt.has(key)).sort();
    if (done.length >= options.sessions) {
      const lags = done.map((key): TBfdLag => {
        const established = establishedAt.get(key)!;
        const up = bfdUpAt.get(key)!;
        return { name: key, establishedAt: established, bfdUpAt: up, lagMs: up - established };
      });
      return { lags, longestPollGapMs };
    }
    if (Date.now() > deadline) throw new LabTimeoutError(name, options.timeoutMs, state);
    await sleep(options.intervalMs ?? 50);
  }
}
