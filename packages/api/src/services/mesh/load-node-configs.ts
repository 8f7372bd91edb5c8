import {
  BFD_TIMERS,
  chooseBfdTimers,
  compileMeshParts,
  DEFAULT_NODE_ROUTING,
  DEFAULT_ROUTE_SOURCES,
  deriveWithheldPrefixes,
  isSoftwareEmulated,
  diffPeerLists,
  type TConflictResolution,
  type TNodeRouting,
  type TRouteConflict,
  type TDesiredNodeConfig,
  type TNodeConfigHead,
  type TMeshSettings,
  type TPeerConfig,
  type TPeerListDiff,
  type TSkippedPair,
  type TUnderlayMode,
} from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { markPlainJson } from "../../lib/transformer";
import { readStoredSources } from "../routing/read-routing-context";

/** WireGuard persistent keepalive every tunnel gets (keeps NAT mappings open). */
export const KEEPALIVE_SEC = 25;

/** Every node's desired config at one mesh version. */
export interface TCompiledMesh {
  version: bigint;
  /** Each node's config without its peer list, by node id (all a delta needs). */
  heads: Map<string, TNodeConfigHead>;
  /**
   * A node's full config (marked plain JSON), built on first use and kept: only a stream's
   * first event needs one, and at 2,000 nodes building all of them is most of a compile.
   */
  configOf: (nodeId: string) => TDesiredNodeConfig | undefined;
  /** The full configs as a read-only map, built on use like {@link TCompiledMesh.configOf}. */
  configs: Pick<ReadonlyMap<string, TDesiredNodeConfig>, "get" | "has">;
  /** Every peer entry once (the objects the configs share), ordered by index. */
  peers: TPeerConfig[];
  /** Peer diffs from older meshes to this one, computed once for all subscribers. */
  diffs: WeakMap<TCompiledMesh, TPeerListDiff>;
  /** Pairs without a tunnel (no direct path possible, or measured dead), see compileMesh. */
  skippedPairs: TSkippedPair[];
  /** Hubs of a hub-and-spoke mesh; empty for a full mesh. */
  hubIds: string[];
}

/** The peers changed from `base` to `next`, computed once per pair and shared by every node. */
export function diffCompiledMeshes(base: TCompiledMesh, next: TCompiledMesh): TPeerListDiff {
  let diff = next.diffs.get(base);
  if (!diff) {
    diff = diffPeerLists(base.peers, next.peers);
    next.diffs.set(base, diff);
  }
  return diff;
}

/** The settings row as the config contract shows it to every node. */
export function toMeshSettings(row: {
  ipv4Pool: string;
  ipv6Pool: string;
  basePort: number;
  underlayMtu: number;
  tunnelMtu: number | null;
  healthIntervalSec: number;
}): TMeshSettings {
  return {
    ipv4Pool: row.ipv4Pool,
    ipv6Pool: row.ipv6Pool,
    basePort: row.basePort,
    underlayMtu: row.underlayMtu,
    tunnelMtu: row.tunnelMtu,
    healthIntervalSec: row.healthIntervalSec,
    keepaliveSec: KEEPALIVE_SEC,
    bfd: { ...BFD_TIMERS },
  };
}

interface TMeshRow {
  meshVersion: bigint;
  ipv4Pool: string;
  ipv6Pool: string;
  basePort: number;
  underlayMtu: number;
  tunnelMtu: number | null;
  healthIntervalSec: number;
  routeSources: unknown;
  conflicts: TRouteConflict[];
  resolutions: TConflictResolution[];
  nodes: {
    id: string;
    name: string;
    index: number;
    asn: number;
    ipv4: string;
    ipv6: string;
    publicKey: string | null;
    endpoints: string[];
    prefixes: string[];
    rotationId: string | null;
    routing: {
      mayOriginate: boolean;
      exitNode: boolean;
      maxPrefixes: number;
      sources: unknown;
    } | null;
    ranges: TNodeRouting["allowedRanges"];
    reapplyId: string | null;
    virtualization: string | null;
    underlayMode: TUnderlayMode;
    canTransit: boolean;
    isHub: boolean;
  }[];
  failedPairs: { a: string; b: string; reason: string }[];
}

// One statement, so one snapshot and one round trip: a change wakes every subscriber and the
// compile must not wait on several queries (or a transaction) per version.
async function readMesh(db: TPrismaClient): Promise<TCompiledMesh> {
  const rows = await db.$queryRaw<TMeshRow[]>`
    SELECT s."meshVersion", s."ipv4Pool", s."ipv6Pool", s."basePort", s."underlayMtu",
      s."tunnelMtu", s."healthIntervalSec", s."routeSources",
      COALESCE((SELECT json_agg(json_build_object('prefix', c.prefix, 'nodeIds', c."nodeIds",
        'reason', c.reason)) FROM "RouteConflict" c), '[]'::json) AS conflicts,
      COALESCE((SELECT json_agg(json_build_object('prefix', r.prefix, 'kind', r.kind,
        'nodeId', r."nodeId")) FROM "RouteConflictResolution" r), '[]'::json) AS resolutions,
      COALESCE((
        SELECT json_agg(json_build_object(
          'id', n.id, 'name', n.name, 'index', n.index, 'asn', n.asn, 'ipv4', n.ipv4,
          'ipv6', n.ipv6, 'publicKey', n."publicKey", 'endpoints', n.endpoints,
          'reapplyId', n."reapplyId", 'virtualization', n."hostInfo"->>'virtualization',
          'underlayMode', n."underlayMode", 'canTransit', n."canTransit", 'isHub', n."isHub",
          'prefixes', COALESCE((
            SELECT json_agg(p.cidr ORDER BY p.cidr) FROM "AdvertisedPrefix" p
            WHERE p."nodeId" = n.id), '[]'::json),
          'rotationId', (
            SELECT r.id FROM "KeyRotation" r WHERE r."nodeId" = n.id AND r.status = 'pending'
            ORDER BY r."requestedAt" DESC LIMIT 1),
          'routing', (
            SELECT json_build_object('mayOriginate', nr."mayOriginate", 'exitNode', nr."exitNode",
              'maxPrefixes', nr."maxPrefixes", 'sources', nr.sources)
            FROM "NodeRouting" nr WHERE nr."nodeId" = n.id),
          'ranges', COALESCE((
            SELECT json_agg(json_build_object('prefix', a.prefix, 'maxLength', a."maxLength",
              'anycast', a.anycast) ORDER BY a.prefix)
            FROM "RouteAllowedRange" a WHERE a."nodeId" = n.id), '[]'::json)
        ) ORDER BY n.index)
        FROM "Node" n), '[]'::json) AS nodes,
      COALESCE((
        SELECT json_agg(json_build_object('a', f."nodeAId", 'b', f."nodeBId", 'reason', f.reason)
          ORDER BY f."nodeAId", f."nodeBId")
        FROM "DirectPathFailure" f), '[]'::json) AS "failedPairs"
    FROM "Setting" s WHERE s.id = 1`;
  const settings = rows[0];
  if (!settings) throw new Error("the Setting row is missing (ensureSettings not run)");
  const defaultSources = readStoredSources(
    settings.routeSources as Parameters<typeof readStoredSources>[0],
    DEFAULT_ROUTE_SOURCES,
  );
  // Expired failures stay until the next mesh change removes them (report-health retries them),
  // so the configs of one version never depend on the clock.
  const { heads, peers, skippedPairs, hubIds, configOf } = compileMeshParts({
    version: Number(settings.meshVersion),
    settings: toMeshSettings(settings),
    nodes: settings.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      index: node.index,
      asn: Number(node.asn),
      ipv4: node.ipv4,
      ipv6: node.ipv6,
      publicKey: node.publicKey,
      endpoints: node.endpoints,
      advertisedPrefixes: node.prefixes,
      pendingRotationId: node.rotationId,
      routing: toNodeRouting(node, defaultSources, settings),
      reapplyId: node.reapplyId,
      underlayMode: node.underlayMode,
      canTransit: node.canTransit,
      isHub: node.isHub,
      ...(isSoftwareEmulated(node.virtualization)
        ? { bfd: chooseBfdTimers(node.virtualization) }
        : {}),
    })),
    failedPairs: settings.failedPairs.map((pair) => ({
      nodeIds: [pair.a, pair.b] as const,
      reason: pair.reason,
    })),
  });
  const headsById = new Map(heads.map((head) => [head.self.id, head]));
  const configs = new Map<string, TDesiredNodeConfig>();
  const readConfig = (nodeId: string) => {
    let config = configs.get(nodeId);
    const head = headsById.get(nodeId);
    if (!config && head) {
      // Plain JSON by construction: the transformer can send it without superjson's walk.
      config = markPlainJson(configOf(head));
      configs.set(nodeId, config);
    }
    return config;
  };
  return {
    version: settings.meshVersion,
    heads: headsById,
    configOf: readConfig,
    configs: { get: readConfig, has: (nodeId) => headsById.has(nodeId) },
    peers,
    diffs: new WeakMap(),
    skippedPairs,
    hubIds,
  };
}

// A node's effective routing: its policy (or the defaults), its own sources or the mesh's, and
// the prefixes held back by conflicts.
function toNodeRouting(
  node: TMeshRow["nodes"][number],
  defaultSources: TNodeRouting["sources"],
  mesh: Pick<TMeshRow, "conflicts" | "resolutions">,
): TNodeRouting {
  const own = node.routing;
  return {
    mayOriginate: own?.mayOriginate ?? DEFAULT_NODE_ROUTING.mayOriginate,
    exitNode: own?.exitNode ?? DEFAULT_NODE_ROUTING.exitNode,
    maxPrefixes: own?.maxPrefixes ?? DEFAULT_NODE_ROUTING.maxPrefixes,
    sources: readStoredSources(
      own?.sources as Parameters<typeof readStoredSources>[0],
      defaultSources,
    ),
    allowedRanges: node.ranges,
    withheld: deriveWithheldPrefixes(node.id, mesh.conflicts, mesh.resolutions),
  };
}

/**
 * Compile every node's config from one consistent snapshot (a single statement), so the
 * version stamped on a config is the version of the data in it.
 */
export async function loadNodeConfigs({ db }: { db: TPrismaClient }): Promise<TCompiledMesh> {
  return readMesh(db);
}
