// The reachability matrix (issue #17): for every pair of nodes, how traffic between them flows:
// a direct tunnel over IPv6 or IPv4, through which node(s) when there is no direct tunnel, or
// not at all. Built from the compiled mesh (its peer entries and skipped pairs), so it shows
// exactly what the controller builds; BGP picks among the relays at run time.
import { chooseDirectPath, viewUnderlay, type TUnderlayView } from "./choose-direct-path";
import type { TSkippedPair, TSkippedPairReason } from "./compile-node-configs";

/** Why a pair has no direct tunnel: a skipped pair's reason, or two spokes of a hub mesh. */
type TNoTunnelReason = TSkippedPairReason | "hub-and-spoke";
import type { TPeerConfig } from "./config";
import type { TIpFamily } from "./parse-cidr";

/** How one pair of nodes reaches each other. */
export type TPairReach =
  | { kind: "direct"; family: TIpFamily }
  | {
      kind: "via";
      /** Why there is no direct tunnel ("hub-and-spoke": two spokes). */
      reason: TNoTunnelReason;
      detail: string | null;
      /**
       * Shortest relay chains, as node ids from `a`'s side: one-node chains are every transit
       * node with a direct tunnel to both (BGP uses them all, ECMP); longer ones when none.
       */
      relays: string[][];
    }
  | { kind: "unreachable"; reason: TNoTunnelReason; detail: string | null };

/** One pair of the matrix (a has the lower index). */
export interface TReachabilityPair {
  a: string;
  b: string;
  reach: TPairReach;
}

/** Input: the compile's peer entries (every keyed node) and its skipped pairs. */
export interface TBuildReachabilityMatrixInput {
  nodes: readonly Pick<TPeerConfig, "id" | "index" | "endpoints" | "isBehindNat" | "canTransit">[];
  skippedPairs: readonly TSkippedPair[];
  /** Hubs of a hub-and-spoke mesh (compileMesh's hubIds); none for a full mesh. */
  hubIds?: readonly string[];
}

/** At most this many relay chains per pair (a big mesh has hundreds of one-node relays). */
export const MAX_RELAY_CHAINS = 8;

/**
 * The matrix: one entry per pair of `nodes`, ordered by the indexes. Direct pairs carry their
 * family (chooseDirectPath); a skipped pair is "via" the shortest chains of transit nodes over
 * direct tunnels, or unreachable when no such chain exists.
 */
export function buildReachabilityMatrix(input: TBuildReachabilityMatrixInput): TReachabilityPair[] {
  const nodes = [...input.nodes].sort((x, y) => x.index - y.index);
  const views = new Map<string, TUnderlayView>(
    nodes.map((node) => [
      node.id,
      viewUnderlay({ endpoints: node.endpoints, isBehindNat: node.isBehindNat ?? false }),
    ]),
  );
  const hubs = new Set(input.hubIds ?? []);
  const isSpokePair = (a: string, b: string) => hubs.size > 0 && !hubs.has(a) && !hubs.has(b);
  const skipped = new Map<string, TSkippedPair>();
  for (const pair of input.skippedPairs)
    skipped.set(`${pair.a} ${pair.b}`, pair).set(`${pair.b} ${pair.a}`, pair);
  const neighbors = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!.id;
      const b = nodes[j]!.id;
      if (skipped.has(`${a} ${b}`) || isSpokePair(a, b)) continue;
      neighbors.get(a)!.push(b);
      neighbors.get(b)!.push(a);
    }
  }
  const canTransit = new Set(nodes.filter((node) => node.canTransit !== false).map((n) => n.id));
  const pairs: TReachabilityPair[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!.id;
      const b = nodes[j]!.id;
      const skip: { reason: TNoTunnelReason; detail: string | null } | undefined = isSpokePair(a, b)
        ? { reason: "hub-and-spoke", detail: null }
        : skipped.get(`${a} ${b}`);
      if (!skip) {
        const path = chooseDirectPath(views.get(a)!, views.get(b)!);
        // A pair compileMesh kept always has a path; "ipv6" only guards a caller's mismatch.
        pairs.push({
          a,
          b,
          reach: { kind: "direct", family: path.kind === "direct" ? path.family : "ipv6" },
        });
        continue;
      }
      const relays = findRelayChains(a, b, neighbors, canTransit);
      pairs.push({
        a,
        b,
        reach:
          relays.length > 0
            ? { kind: "via", reason: skip.reason, detail: skip.detail, relays }
            : { kind: "unreachable", reason: skip.reason, detail: skip.detail },
      });
    }
  }
  return pairs;
}

/**
 * Shortest chains of transit nodes from `a` to `b` over direct tunnels (breadth-first over
 * transit nodes only; a and b themselves need not carry transit). At most MAX_RELAY_CHAINS.
 */
function findRelayChains(
  a: string,
  b: string,
  neighbors: ReadonlyMap<string, readonly string[]>,
  canTransit: ReadonlySet<string>,
): string[][] {
  const targets = new Set(neighbors.get(b) ?? []);
  let frontier: string[][] = (neighbors.get(a) ?? [])
    .filter((id) => canTransit.has(id))
    .map((id) => [id]);
  const seen = new Set<string>([a, ...frontier.map((chain) => chain[0]!)]);
  while (frontier.length > 0) {
    const found = frontier.filter((chain) => targets.has(chain.at(-1)!));
    if (found.length > 0) return found.slice(0, MAX_RELAY_CHAINS);
    const next: string[][] = [];
    for (const chain of frontier) {
      for (const id of neighbors.get(chain.at(-1)!) ?? []) {
        if (seen.has(id) || id === b || !canTransit.has(id)) continue;
        seen.add(id);
        next.push([...chain, id]);
      }
    }
    frontier = next;
  }
  return [];
}
