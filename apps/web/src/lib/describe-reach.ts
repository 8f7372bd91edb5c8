// How a pair of nodes reaches each other (the underlay.matrix API, issue #17), in words and in
// the few styles the topology and node page use.
import type { RouterOutputs } from "@meshover/api";

/** One pair of the reachability matrix. */
export type TPairReach = RouterOutputs["underlay"]["matrix"]["pairs"][number];

/** The four ways a pair can be reached, as the legend names them. */
export type TReachKind = "direct-ipv6" | "direct-ipv4" | "via" | "unreachable";

/** The kind of a pair's reach. */
export function classifyReach(reach: TPairReach): TReachKind {
  if (reach.kind === "direct") return reach.family === "ipv4" ? "direct-ipv4" : "direct-ipv6";
  return reach.kind;
}

/** Edge styles per reach kind (stroke dash and colour override); also used by the legend. */
export const REACH_STYLES: Record<TReachKind, { label: string; dash?: string; colour?: string }> = {
  "direct-ipv6": { label: "direct over IPv6" },
  "direct-ipv4": { label: "direct over IPv4", dash: "10 3 2 3" },
  via: { label: "no tunnel: via another node", dash: "1 4", colour: "#6366f1" },
  unreachable: { label: "unreachable", dash: "1 4", colour: "#ef4444" },
};

/** "via n1 or n2", "direct IPv4", "unreachable: both nodes are behind NAT…". */
export function describeReach(reach: TPairReach, names: ReadonlyMap<string, string>): string {
  if (reach.kind === "direct") return reach.family === "ipv4" ? "direct IPv4" : "direct IPv6";
  if (reach.kind === "unreachable") return `unreachable: ${reach.reasonText ?? "no path"}`;
  const chains = reach.relays.map((chain) => chain.map((id) => names.get(id) ?? "?").join(" → "));
  const shown = chains.slice(0, 3).join(" or ");
  return `via ${shown}${chains.length > 3 ? ` (+${chains.length - 3})` : ""}`;
}

/** Map key of an unordered pair. */
export function reachKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/** The matrix as a map from reachKey to pair. */
export function indexReach(pairs: readonly TPairReach[]): Map<string, TPairReach> {
  return new Map(pairs.map((pair) => [reachKey(pair.a, pair.b), pair]));
}
