// The fleet route table from what the controller knows and what agents report: every prefix
// (node addresses, attached prefixes, and prefixes agents received that nobody attached) with
// its origin(s), how far it got (attached → announced → received by N of M → installed on N of
// M), the policy that matched on each node, and warnings. Pure: the inputs are read by
// list-routes.ts.
//
// Prefixes nodes discovered on their hosts (route sources, #14) come from their candidates with
// the verdict the node's policy gave: announced ones with the allowed range that admitted them,
// refused ones (which no peer ever receives) as rows of their own with the rule that refused them.
//
// Agents that report routes (ObservedRoute rows: the prefixes their FRR received and their
// kernel installed) are counted from that observed state. For a node that does not report them
// (an older agent, no FRR) "received" falls back to the session: an Established session with the
// origin that carries prefixes.
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
  /** May announce a default route (the node's routing policy, #14); absent: not an exit node. */
  isExitNode?: boolean;
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

/** A route a node reported (ObservedRoute). */
export interface TObservedRouteRow {
  nodeId: string;
  kind: "received" | "installed";
  prefix: string;
  via: string[];
  isPresent: boolean;
  firstSeen: Date;
  lastChange: Date;
  flaps: number;
}

/** A prefix a node found on its host and its verdict (DiscoveredRoute, present ones). */
export interface TCandidateRow {
  nodeId: string;
  prefix: string;
  /** Route source kind (connected, kernel, cilium, speaker, static). */
  source: string;
  verdict: "announced" | "refused";
  refusal: string | null;
  detail: string | null;
  /** The allowed range that admits it under the node's policy now; null if none does. */
  range: { prefix: string; maxLength: number; anycast: boolean } | null;
  firstSeen: Date;
  lastChange: Date;
}

/** The rule that decided a prefix on one node. */
export interface TRoutePolicyMatch {
  nodeId: string;
  name: string;
  verdict: "announced" | "refused" | "unknown";
  rule: string;
}

/** One row of the table. */
export interface TRouteRow {
  cidr: string;
  family: "ipv4" | "ipv6";
  /**
   * "discovered": a node found it on its host (route sources); "observed": received by nodes,
   * but no node has it as its address, attached prefix or discovered candidate.
   */
  source: "node address" | "attached" | "discovered" | "observed";
  origins: { nodeId: string; name: string }[];
  isAnycast: boolean;
  /**
   * Attached or discovered (known), announced (an origin online with its config applied),
   * received by N of M, installed on N of M (every receiver's kernel routes it); refused:
   * discovered, but every node that found it refused it by policy.
   */
  state: "attached" | "discovered" | "refused" | "announced" | "received" | "installed";
  receivedBy: number;
  /** Nodes whose kernel has a BGP route for it (reported; 0 when none reports routes). */
  installedOn: number;
  /** Whether received/installed come from route reports of every other node. */
  isObserved: boolean;
  /** Nodes that should receive it (all others). */
  peerCount: number;
  firstSeen: Date;
  lastChange: Date | null;
  /** BGP session drops of its origin(s) in the period (events). */
  flaps: number;
  /** Per node that has it (origins first): the policy that admitted or refused it there. */
  policy: TRoutePolicyMatch[];
  warnings: string[];
}

const SOURCE_ORDER = { attached: 0, discovered: 1, observed: 2, "node address": 3 } as const;

/** The words of one candidate's verdict. */
function describeCandidate(candidate: TCandidateRow): Omit<TRoutePolicyMatch, "nodeId" | "name"> {
  if (candidate.verdict === "refused") {
    const rule = (candidate.refusal ?? "refused").replaceAll("-", " ");
    return {
      verdict: "refused",
      rule: `${candidate.source}: refused, ${rule}${candidate.detail ? ` (${candidate.detail})` : ""}`,
    };
  }
  const range = candidate.range;
  return {
    verdict: "announced",
    rule: range
      ? `${candidate.source}: allowed range ${range.prefix} up to /${range.maxLength}${range.anycast ? " · anycast" : ""}`
      : `${candidate.source}: announced, but no allowed range admits it now (the node's next report re-judges it)`,
  };
}

/** Session drops above this in the period mark a prefix as flapping. */
export const FLAP_WARNING = 3;
const FRESH_MS = 15_000;

/** Rows of known nodes by their prefix in canonical form (unreadable prefixes left out). */
function groupByPrefix<T extends { nodeId: string; prefix: string }>(
  rows: readonly T[],
  nodeById: ReadonlyMap<string, TRouteNode>,
): Map<string, T[]> {
  const byPrefix = new Map<string, T[]>();
  for (const row of rows) {
    if (!nodeById.has(row.nodeId)) continue;
    let key: string;
    try {
      key = parseCidr(row.prefix, { isHostBitsAllowed: true }).text;
    } catch {
      continue;
    }
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), row]);
  }
  return byPrefix;
}

/** Build the table. `lastChanges` maps node id → last prefix change; `flaps` node id → count. */
export function buildRouteTable({
  nodes,
  sessions,
  lastChanges,
  flaps,
  now,
  observed = [],
  reportingNodeIds = new Set(),
  candidates = [],
}: {
  nodes: readonly TRouteNode[];
  sessions: readonly TRouteSession[];
  lastChanges: ReadonlyMap<string, Date>;
  flaps: ReadonlyMap<string, number>;
  now: Date;
  /** Routes nodes reported (present and gone). */
  observed?: readonly TObservedRouteRow[];
  /** Nodes that report routes: their received/installed sets are the observed ones. */
  reportingNodeIds?: ReadonlySet<string>;
  /** What nodes found on their hosts (present candidates) with their verdicts. */
  candidates?: readonly TCandidateRow[];
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
  const nodeById = new Map(nodes.map((node) => [node.id, node]));
  // Discovered candidates per prefix; a prefix that is no address or attached prefix gets a row,
  // its origins the nodes announcing it (or, when all refused it, the nodes that found it).
  const candidatesOf = groupByPrefix(candidates, nodeById);
  for (const [key, found] of candidatesOf) {
    if (entries.has(key)) continue;
    const announcing = found.filter((candidate) => candidate.verdict === "announced");
    const origins = [
      ...new Set((announcing.length > 0 ? announcing : found).map((c) => c.nodeId)),
    ].map((id) => nodeById.get(id)!);
    entries.set(key, {
      cidr: parseCidr(key, { isHostBitsAllowed: true }),
      source: "discovered",
      origins,
      isAnycast: announcing.some((candidate) => candidate.range?.anycast === true),
      firstSeen: new Date(Math.min(...found.map((candidate) => candidate.firstSeen.getTime()))),
    });
  }
  // Observed routes per prefix; prefixes nobody attached or discovered get rows of their own,
  // their origins the peers they were received through.
  const observedOf = groupByPrefix(observed, nodeById);
  for (const [key, routes] of observedOf) {
    if (entries.has(key)) continue;
    const present = routes.filter((route) => route.kind === "received" && route.isPresent);
    const origins = [...new Set(present.flatMap((route) => route.via))]
      .map((id) => nodeById.get(id))
      .filter((node): node is TRouteNode => node !== undefined);
    if (origins.length === 0) continue;
    const since = new Date(Math.min(...present.map((route) => route.firstSeen.getTime())));
    entries.set(key, {
      cidr: parseCidr(key, { isHostBitsAllowed: true }),
      source: "observed",
      origins,
      isAnycast: false,
      firstSeen: since,
    });
  }
  const sessionOf = new Map(sessions.map((s) => [`${s.nodeId}>${s.peerId}`, s]));
  const isEstablishedNow = (receiverId: string, originId: string) => {
    const session = sessionOf.get(`${receiverId}>${originId}`);
    return (
      session !== undefined &&
      now.getTime() - session.at.getTime() <= FRESH_MS &&
      session.bgpState?.toLowerCase() === "established"
    );
  };
  const isReceiving = (receiverId: string, originId: string) =>
    isEstablishedNow(receiverId, originId) &&
    (sessionOf.get(`${receiverId}>${originId}`)?.prefixesReceived ?? 0) > 0;
  const all = [...entries.values()];
  return all
    .map((entry) => {
      const originIds = new Set(entry.origins.map((o) => o.id));
      const others = nodes.filter((node) => !originIds.has(node.id));
      const routes = observedOf.get(entry.cidr.text) ?? [];
      const has = (nodeId: string, kind: TObservedRouteRow["kind"]) =>
        routes.some((r) => r.nodeId === nodeId && r.kind === kind && r.isPresent);
      const receivers = others.filter((node) =>
        reportingNodeIds.has(node.id)
          ? has(node.id, "received")
          : entry.origins.some((origin) => isReceiving(node.id, origin.id)),
      );
      const receivedBy = receivers.length;
      const installedOn = others.filter((node) => has(node.id, "installed")).length;
      const isObserved = others.length > 0 && others.every((node) => reportingNodeIds.has(node.id));
      const found = candidatesOf.get(entry.cidr.text) ?? [];
      const isRefused =
        entry.source === "discovered" && !found.some((c) => c.verdict === "announced");
      const isAnnounced =
        !isRefused &&
        (entry.source === "observed" ||
          entry.origins.some((origin) => origin.isOnline && origin.isInSync));
      const state: TRouteRow["state"] =
        isObserved && installedOn === others.length && receivedBy > 0
          ? "installed"
          : receivedBy > 0
            ? "received"
            : isAnnounced
              ? "announced"
              : isRefused
                ? "refused"
                : entry.source === "discovered"
                  ? "discovered"
                  : "attached";
      const warnings: string[] = [];
      const names = (list: readonly TRouteNode[]) =>
        list.length <= 3
          ? list.map((n) => n.name).join(", ")
          : `${list
              .slice(0, 3)
              .map((n) => n.name)
              .join(", ")} and ${list.length - 3} more`;
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
      const nonExit = entry.origins.filter((origin) => !origin.isExitNode);
      if (entry.cidr.prefixLength === 0 && nonExit.length > 0)
        warnings.push(`a default route from ${names(nonExit)}, not an exit node`);
      if (entry.source === "observed")
        warnings.push(`not attached by an admin: learned over BGP from ${names(entry.origins)}`);
      const missing = others.filter((node) => !receivers.includes(node));
      if (isAnnounced && missing.length > 0) {
        // With route reports: a receiver with an Established session to an origin that still
        // lacks the prefix had it filtered (or the origin did not send it); without a session
        // it is just missing.
        const filtered = missing.filter(
          (node) =>
            reportingNodeIds.has(node.id) &&
            entry.origins.some((origin) => isEstablishedNow(node.id, origin.id)),
        );
        if (filtered.length > 0)
          warnings.push(
            `filtered or not sent: ${names(filtered)} ${filtered.length === 1 ? "has" : "have"} a session with the origin but not the route`,
          );
        if (missing.length > filtered.length)
          warnings.push(`missing on ${missing.length - filtered.length} of ${others.length} nodes`);
      }
      const notInstalled = receivers.filter(
        (node) => reportingNodeIds.has(node.id) && !has(node.id, "installed"),
      );
      if (notInstalled.length > 0)
        warnings.push(`received but not installed on ${names(notInstalled)}`);
      // Flaps: session drops of the origin(s), or, from route reports, the most times the
      // prefix came back on any one node.
      const sessionDrops = entry.origins.reduce((sum, o) => sum + (flaps.get(o.id) ?? 0), 0);
      const routeFlaps = Math.max(0, ...routes.map((route) => route.flaps));
      const flapCount = Math.max(sessionDrops, routeFlaps);
      if (flapCount > FLAP_WARNING)
        warnings.push(
          routeFlaps >= sessionDrops
            ? `flapping: withdrawn and back ${flapCount} times`
            : `flapping: ${flapCount} session drops`,
        );
      const observedChange = [...routes, ...found].reduce<Date | null>(
        (latest, route) =>
          latest === null || route.lastChange > latest ? route.lastChange : latest,
        null,
      );
      const attachedChange =
        entry.source === "attached"
          ? (entry.origins
              .map((o) => lastChanges.get(o.id))
              .filter((d): d is Date => d != null)
              .sort((a, b) => b.getTime() - a.getTime())[0] ?? null)
          : null;
      const lastChange =
        attachedChange && observedChange
          ? attachedChange > observedChange
            ? attachedChange
            : observedChange
          : (attachedChange ?? observedChange);
      return {
        cidr: entry.cidr.text,
        family: entry.cidr.family,
        source: entry.source,
        origins: entry.origins.map((o) => ({ nodeId: o.id, name: o.name })),
        isAnycast: entry.isAnycast,
        state,
        receivedBy,
        installedOn,
        isObserved,
        peerCount: others.length,
        firstSeen: entry.firstSeen,
        lastChange,
        flaps: flapCount,
        policy: matchPolicies(entry, found),
        warnings,
      };
    })
    .sort((a, b) =>
      a.source === b.source
        ? a.cidr.localeCompare(b.cidr, "en", { numeric: true })
        : SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source],
    );

  /** The rule per node: origins first (how the row got its origin), then other finders. */
  function matchPolicies(
    entry: { source: TRouteRow["source"]; origins: TRouteNode[]; isAnycast: boolean },
    found: readonly TCandidateRow[],
  ): TRoutePolicyMatch[] {
    const matches: TRoutePolicyMatch[] = [];
    const add = (node: TRouteNode, match: Omit<TRoutePolicyMatch, "nodeId" | "name">) => {
      if (!matches.some((m) => m.nodeId === node.id && m.rule === match.rule))
        matches.push({ nodeId: node.id, name: node.name, ...match });
    };
    for (const origin of entry.origins) {
      if (entry.source === "node address")
        add(origin, { verdict: "announced", rule: "node address: always announced" });
      else if (entry.source === "attached")
        add(origin, {
          verdict: "announced",
          rule: `attached by an admin${entry.isAnycast ? " · anycast" : ""}`,
        });
      else if (entry.source === "observed" && !found.some((c) => c.nodeId === origin.id))
        add(origin, {
          verdict: "unknown",
          rule: "learned over BGP: the node reports no candidate for it",
        });
    }
    const originIds = new Set(entry.origins.map((origin) => origin.id));
    const ordered = [...found].sort(
      (a, b) => Number(!originIds.has(a.nodeId)) - Number(!originIds.has(b.nodeId)),
    );
    for (const candidate of ordered)
      add(nodeById.get(candidate.nodeId)!, describeCandidate(candidate));
    return matches;
  }
}
