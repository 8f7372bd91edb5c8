// Route conflicts (issue #14): a prefix that several nodes would announce although it is not one
// network on purpose. The controller computes them from every node's discovered candidates and
// holds the prefix back (the node config's `routing.withheld`) until an admin resolves it.
import { isCidrOverlap, parseCidr } from "./parse-cidr";
import { WELL_KNOWN_PER_HOST_PREFIXES } from "./route-sources";

/** A candidate as conflict detection sees it. */
export interface TConflictCandidate {
  nodeId: string;
  /** Canonical text (normalizePrefix). */
  prefix: string;
  /** The node's policy would announce it (before the cap and before conflicts). */
  isEligible: boolean;
  /** The allowed range it falls in is anycast. */
  isAnycast: boolean;
}

/** A prefix several nodes would announce. */
export interface TRouteConflict {
  prefix: string;
  /** Sorted node ids. */
  nodeIds: string[];
  reason: string;
}

/** An admin's answer to a conflict. */
export interface TConflictResolution {
  prefix: string;
  kind: "node" | "anycast" | "withhold";
  /** The node that announces it (kind `node`). */
  nodeId: string | null;
}

const WELL_KNOWN = WELL_KNOWN_PER_HOST_PREFIXES.map((known) => ({
  cidr: parseCidr(known.cidr),
  what: known.what,
}));

/** Length of the per-node blocks CNIs carve from their default pools (Cilium, k3s, flannel). */
const PER_NODE_BLOCK_LENGTH = 24;

/**
 * The well-known per-host default a prefix is (`libvirt's default network`), or null: the
 * default itself, or one of the per-node /24s carved from a default pool (Cilium's 10.0.0.0/8
 * hands every node a /24 from the same place in every cluster). Other prefixes inside those
 * pools (a /32 VIP in 10.0.0.0/8) are ordinary.
 */
export function findWellKnownPerHostPrefix(prefix: string): { cidr: string; what: string } | null {
  const cidr = parseCidr(prefix, { isHostBitsAllowed: true });
  const known = WELL_KNOWN.find(
    (entry) =>
      isCidrOverlap(entry.cidr, cidr) &&
      (cidr.prefixLength === entry.cidr.prefixLength ||
        (cidr.prefixLength === PER_NODE_BLOCK_LENGTH &&
          entry.cidr.prefixLength < PER_NODE_BLOCK_LENGTH)),
  );
  return known ? { cidr: known.cidr.text, what: known.what } : null;
}

/**
 * Every conflict among `candidates`, sorted by prefix: an eligible prefix on two or more nodes
 * is a conflict unless every node announces it from an anycast range; inside a well-known
 * per-host default (libvirt's 192.168.122.0/24, Docker's 172.17.0.0/16, Cilium's 10.0.0.0/8
 * /24s, ...) it is one even then, since the same default on two hosts is two networks.
 */
export function detectRouteConflicts(candidates: readonly TConflictCandidate[]): TRouteConflict[] {
  const byPrefix = new Map<string, { nodes: Set<string>; isAnycast: boolean }>();
  for (const candidate of candidates) {
    if (!candidate.isEligible) continue;
    const prefix = candidate.prefix;
    const entry = byPrefix.get(prefix) ?? { nodes: new Set<string>(), isAnycast: true };
    entry.nodes.add(candidate.nodeId);
    entry.isAnycast &&= candidate.isAnycast;
    byPrefix.set(prefix, entry);
  }
  const conflicts: TRouteConflict[] = [];
  for (const [prefix, entry] of byPrefix) {
    const count = entry.nodes.size;
    if (count < 2) continue;
    const known = findWellKnownPerHostPrefix(prefix);
    const isExactDefault = known !== null && known.cidr === prefix;
    let reason: string | null = null;
    // A host's default by name (it is one even from anycast ranges, and so is a CNI's per-node
    // block), else the missing anycast flag.
    if (known && (isExactDefault || entry.isAnycast)) {
      reason = `${known.cidr} is ${known.what} on every host: seen on ${count} nodes`;
    } else if (!entry.isAnycast) {
      reason = `seen on ${count} nodes, not in an anycast range on all of them`;
    }
    if (reason) conflicts.push({ prefix, nodeIds: [...entry.nodes].sort(), reason });
  }
  return conflicts.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/**
 * The prefixes `nodeId` must hold back: every conflict it is part of, unless the admin chose
 * this node or declared the prefix anycast. Sorted.
 */
export function deriveWithheldPrefixes(
  nodeId: string,
  conflicts: readonly TRouteConflict[],
  resolutions: readonly TConflictResolution[],
): string[] {
  const byPrefix = new Map(resolutions.map((resolution) => [resolution.prefix, resolution]));
  return conflicts
    .filter((conflict) => conflict.nodeIds.includes(nodeId))
    .filter((conflict) => {
      const resolution = byPrefix.get(conflict.prefix);
      if (!resolution) return true;
      if (resolution.kind === "anycast") return false;
      if (resolution.kind === "node") return resolution.nodeId !== nodeId;
      return true;
    })
    .map((conflict) => conflict.prefix)
    .sort();
}

/** A candidate that announces part of another node's prefix (longest match wins it). */
export interface TRouteOverlap {
  /** The more specific prefix. */
  prefix: string;
  /** Sorted ids of the nodes that announce it. */
  nodeIds: string[];
  /** The wider prefix it lies in. */
  within: string;
  /** Sorted ids of the nodes that announce the wider prefix (none of them announces `prefix`). */
  withinNodeIds: string[];
  reason: string;
}

/**
 * Nested prefixes on different nodes (a /25 on n2 inside a /24 on n1), sorted by prefix. Not
 * a conflict: routing by longest match is well defined and often meant (a VIP or a moved VM
 * subnet inside a node's range), so both stay announced. But it is worth a warning, because
 * every node, n1 included, then sends that part of n1's range to n2: if n1 still has hosts
 * there, they are cut off from the mesh (and n1's own LAN loses them when the route is
 * installed over a prefix zebra cannot see). Default routes (exit nodes) are left out: every
 * prefix lies in them. Only the nearest enclosing prefix is named.
 */
export function detectRouteOverlaps(candidates: readonly TConflictCandidate[]): TRouteOverlap[] {
  const byPrefix = new Map<string, Set<string>>();
  for (const candidate of candidates) {
    if (!candidate.isEligible) continue;
    const nodes = byPrefix.get(candidate.prefix) ?? new Set<string>();
    nodes.add(candidate.nodeId);
    byPrefix.set(candidate.prefix, nodes);
  }
  const sorted = [...byPrefix.entries()]
    .map(([prefix, nodes]) => ({ cidr: parseCidr(prefix, { isHostBitsAllowed: true }), nodes }))
    .filter((entry) => entry.cidr.prefixLength > 0)
    .sort(
      (a, b) =>
        (a.cidr.family === b.cidr.family ? 0 : a.cidr.family === "ipv4" ? -1 : 1) ||
        (a.cidr.network < b.cidr.network ? -1 : a.cidr.network > b.cidr.network ? 1 : 0) ||
        a.cidr.prefixLength - b.cidr.prefixLength,
    );
  const overlaps: TRouteOverlap[] = [];
  // CIDRs nest or are disjoint: in this order a stack holds the chain enclosing the current one.
  const stack: typeof sorted = [];
  for (const entry of sorted) {
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.cidr.family === entry.cidr.family && entry.cidr.last <= top.cidr.last) break;
      stack.pop();
    }
    // The nearest enclosing prefix announced by a node that does not announce this one too.
    const outer = [...stack]
      .reverse()
      .find((wider) => [...wider.nodes].some((id) => !entry.nodes.has(id)));
    if (outer) {
      const others = [...outer.nodes].filter((id) => !entry.nodes.has(id)).sort();
      overlaps.push({
        prefix: entry.cidr.text,
        nodeIds: [...entry.nodes].sort(),
        within: outer.cidr.text,
        withinNodeIds: others,
        reason: `inside ${outer.cidr.text} of another node: by longest match, every node (that one too) routes ${entry.cidr.text} here`,
      });
    }
    stack.push(entry);
  }
  return overlaps.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}
