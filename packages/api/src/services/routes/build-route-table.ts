// The fleet route table from what the controller knows and what agents report: every prefix
// (node addresses and attached prefixes) with its origin(s), how far it got (attached →
// announced → received by N of M), and warnings. Pure: the inputs are read by list-routes.ts.
//
// What reports carry today: per tunnel the BGP state and the number of prefixes received from
// that peer (not which ones), so "received" means the other node has an Established session with
// the origin and receives prefixes over it; installed routes are not reported by agents yet.
import { isCidrOverlap, parseCidr, type TParsedCidr } from "@meshover/netcfg";

/** A node as the route table needs it. */
export interface TRouteNode {
  id: string;
  name: string;
  ipv4: string;
  ipv6: string;
  createdAt: Date;
  isOnline: boolean;
  isInSync: boolean;
  prefixes: { cidr: string; isAnycast: boolean; createdAt: Date }[];
}

/** What `nodeId` last reported of its session to `peerId`. */
export interface TRouteSession {
  nodeId: string;
  peerId: string;
  at: Date;
  bgpState: string | null;
  prefixesReceived: number | null;
}

/** One row of the table. */
export interface TRouteRow {
  cidr: string;
  family: "ipv4" | "ipv6";
  source: "node address" | "attached";
  origins: { nodeId: string; name: string }[];
  isAnycast: boolean;
  /** Attached (known), announced (an origin online with its config applied), received by N of M. */
  state: "attached" | "announced" | "received";
  receivedBy: number;
  /** Nodes that should receive it (all others). */
  peerCount: number;
  firstSeen: Date;
  lastChange: Date | null;
  /** BGP session drops of its origin(s) in the period (events). */
  flaps: number;
  warnings: string[];
}

/** Session drops above this in the period mark a prefix as flapping. */
export const FLAP_WARNING = 3;
const FRESH_MS = 15_000;

/** Build the table. `lastChanges` maps node id → last prefix change; `flaps` node id → count. */
export function buildRouteTable({
  nodes,
  sessions,
  lastChanges,
  flaps,
  now,
}: {
  nodes: readonly TRouteNode[];
  sessions: readonly TRouteSession[];
  lastChanges: ReadonlyMap<string, Date>;
  flaps: ReadonlyMap<string, number>;
  now: Date;
}): TRouteRow[] {
  type TEntry = {
    cidr: TParsedCidr;
    source: TRouteRow["source"];
    origins: TRouteNode[];
    isAnycast: boolean;
    firstSeen: Date;
  };
  const entries = new Map<string, TEntry>();
  const add = (
    text: string,
    node: TRouteNode,
    source: TRouteRow["source"],
    isAnycast: boolean,
    since: Date,
  ) => {
    const cidr = parseCidr(text, { isHostBitsAllowed: true });
    const entry = entries.get(cidr.text);
    if (entry) {
      entry.origins.push(node);
      entry.isAnycast ||= isAnycast;
      if (since < entry.firstSeen) entry.firstSeen = since;
    } else entries.set(cidr.text, { cidr, source, origins: [node], isAnycast, firstSeen: since });
  };
  for (const node of nodes) {
    add(`${node.ipv4}/32`, node, "node address", false, node.createdAt);
    add(`${node.ipv6}/128`, node, "node address", false, node.createdAt);
    for (const prefix of node.prefixes)
      add(prefix.cidr, node, "attached", prefix.isAnycast, prefix.createdAt);
  }
  const sessionOf = new Map(sessions.map((s) => [`${s.nodeId}>${s.peerId}`, s]));
  const isReceiving = (receiverId: string, originId: string) => {
    const session = sessionOf.get(`${receiverId}>${originId}`);
    return (
      session !== undefined &&
      now.getTime() - session.at.getTime() <= FRESH_MS &&
      session.bgpState?.toLowerCase() === "established" &&
      (session.prefixesReceived ?? 0) > 0
    );
  };
  const all = [...entries.values()];
  return all
    .map((entry) => {
      const originIds = new Set(entry.origins.map((o) => o.id));
      const others = nodes.filter((node) => !originIds.has(node.id));
      const receivedBy = others.filter((node) =>
        entry.origins.some((origin) => isReceiving(node.id, origin.id)),
      ).length;
      const isAnnounced = entry.origins.some((origin) => origin.isOnline && origin.isInSync);
      const state: TRouteRow["state"] =
        receivedBy > 0 ? "received" : isAnnounced ? "announced" : "attached";
      const warnings: string[] = [];
      if (entry.origins.length > 1 && !entry.isAnycast)
        warnings.push(`attached to ${entry.origins.length} nodes without anycast`);
      for (const other of all) {
        if (other === entry || !isCidrOverlap(entry.cidr, other.cidr)) continue;
        const names = other.origins.map((o) => o.name).join(", ");
        if (other.cidr.prefixLength > entry.cidr.prefixLength)
          warnings.push(
            `${other.cidr.text} (${names}) is more specific: it wins for its addresses`,
          );
        else if (other.cidr.prefixLength < entry.cidr.prefixLength)
          warnings.push(`shadows part of ${other.cidr.text} (${names})`);
      }
      if (entry.cidr.prefixLength === 0) warnings.push("a default route (no node is an exit node)");
      if (isAnnounced && receivedBy < others.length)
        warnings.push(`missing on ${others.length - receivedBy} of ${others.length} nodes`);
      const flapCount = entry.origins.reduce((sum, origin) => sum + (flaps.get(origin.id) ?? 0), 0);
      if (flapCount > FLAP_WARNING) warnings.push(`flapping: ${flapCount} session drops`);
      const lastChange =
        entry.source === "attached"
          ? (entry.origins
              .map((o) => lastChanges.get(o.id))
              .filter((d): d is Date => d != null)
              .sort((a, b) => b.getTime() - a.getTime())[0] ?? null)
          : null;
      return {
        cidr: entry.cidr.text,
        family: entry.cidr.family,
        source: entry.source,
        origins: entry.origins.map((o) => ({ nodeId: o.id, name: o.name })),
        isAnycast: entry.isAnycast,
        state,
        receivedBy,
        peerCount: others.length,
        firstSeen: entry.firstSeen,
        lastChange,
        flaps: flapCount,
        warnings,
      };
    })
    .sort((a, b) =>
      a.source === b.source
        ? a.cidr.localeCompare(b.cidr, "en", { numeric: true })
        : a.source === "attached"
          ? -1
          : 1,
    );
}
