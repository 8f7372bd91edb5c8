// The controller's config compiler: from the whole mesh (every node and the settings) to each
// node's desired config. Pure and deterministic, so the same mesh version always yields the same
// configs and the agent can skip a version that changes nothing for it.
import type {
  TDesiredNodeConfig,
  TMeshSettings,
  TNodeIdentity,
  TPeerConfig,
  TRemoteRanges,
} from "./config";
import {
  chooseDirectPath,
  resolveBehindNat,
  viewUnderlay,
  type TNoPathReason,
  type TUnderlayMode,
  type TUnderlayView,
} from "./choose-direct-path";
import type { TBfdTimers } from "./plan/host-state";
import { NetcfgError } from "./netcfg-error";
import { DEFAULT_NODE_ROUTING, type TAllowedRange, type TNodeRouting } from "./route-sources";

/** A node as the controller stores it. */
export interface TMeshNode {
  id: string;
  name: string;
  index: number;
  asn: number;
  /** Node IPv4 address, no prefix length. */
  ipv4: string;
  /** Node IPv6 address, no prefix length. */
  ipv6: string;
  /** Current WireGuard public key; null until the agent enrolled and reported one. */
  publicKey: string | null;
  /** Underlay endpoints the agent reported (IPv6 preferred). */
  endpoints: readonly string[];
  advertisedPrefixes: readonly string[];
  /** Id of the key rotation the admin requested and the node has not finished, or null. */
  pendingRotationId: string | null;
  /** The node's effective route sources and policy; DEFAULT_NODE_ROUTING when omitted. */
  routing?: TNodeRouting;
  /** The admin's latest re-apply request for the node (absent or null: none). */
  reapplyId?: string | null;
  /** Completed key rotations (0 when omitted); its parity is the node's keySlot. */
  keyGeneration?: number;
  /** The key the node reported for its running rotation, which peers tunnel to beside the old. */
  nextPublicKey?: string | null;
  /** How peers can reach its underlay (admin setting); "auto" when omitted. */
  underlayMode?: TUnderlayMode;
  /** False: the node announces only its own routes (no transit). True when omitted. */
  canTransit?: boolean;
  /**
   * A hub of a hub-and-spoke mesh: once any node is a hub, the other nodes (spokes) build
   * tunnels only to hubs, and hubs to everyone (see docs/underlay.md, "Beyond a full mesh").
   */
  isHub?: boolean;
  /** Its own BFD timers when they differ from the mesh's (see chooseBfdTimers). */
  bfd?: TBfdTimers;
}

/** A pair the agents measured: its tunnel never completed a handshake. */
export interface TFailedPair {
  /** The two node ids, in any order. */
  nodeIds: readonly [string, string];
  reason: string;
}

/** Input of compileNodeConfigs. */
export interface TCompileNodeConfigsInput {
  /** Mesh version; increases with every change. */
  version: number;
  settings: TMeshSettings;
  nodes: readonly TMeshNode[];
  /** Pairs measured dead: no tunnel is built between them (traffic goes through others). */
  failedPairs?: readonly TFailedPair[];
}

function assertUnique(
  nodes: readonly TMeshNode[],
  key: "id" | "index" | "asn" | "ipv4" | "ipv6",
  label: string,
) {
  const seen = new Map<unknown, string>();
  for (const node of nodes) {
    const value = node[key];
    const other = seen.get(value);
    if (other !== undefined) {
      throw new NetcfgError(
        "DUPLICATE",
        `nodes "${other}" and "${node.name}" share the ${label} ${String(value)}`,
      );
    }
    seen.set(value, node.name);
  }
}

function toIdentity(node: TMeshNode): TNodeIdentity {
  return {
    id: node.id,
    name: node.name,
    index: node.index,
    asn: node.asn,
    ipv4: node.ipv4,
    ipv6: node.ipv6,
    advertisedPrefixes: [...node.advertisedPrefixes],
    // Left out while 0 (and nextPublicKey while null): configs of meshes that never rotated
    // stay byte for byte what they were.
    ...((node.keyGeneration ?? 0) % 2 === 1 ? { keySlot: 1 } : {}),
    endpoints: [...node.endpoints],
    isBehindNat: resolveBehindNat(node.underlayMode ?? "auto", node.endpoints),
    canTransit: node.canTransit ?? true,
  };
}

/**
 * The longest AS path a node with a tunnel to every other node accepts from the mesh: a direct
 * route (length 1) or a detour through one other node (2) while its own tunnel is down.
 */
const DIRECT_MAX_AS_PATH_LENGTH = 2;

/** Why the controller built no tunnel between two nodes. */
export type TSkippedPairReason = TNoPathReason | "measured-dead";

/** A pair of nodes without a tunnel, and why. */
export interface TSkippedPair {
  /** Lower index first. */
  a: string;
  b: string;
  reason: TSkippedPairReason;
  /** The agents' words for a measured-dead pair. */
  detail: string | null;
}

function pairKey(a: string, b: string) {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

// What the other nodes admit from a node: its allowed ranges, only while it may originate.
function toPeerAllowedRanges(routing: TNodeRouting | undefined): TAllowedRange[] {
  if (!routing?.mayOriginate) return [];
  return routing.allowedRanges.map((range) => ({ ...range }));
}

/** The whole mesh compiled: every node's config, and every peer entry once. */
export interface TCompiledMeshConfigs {
  /** One config per node, ordered by index. */
  configs: TDesiredNodeConfig[];
  /**
   * Every node that is somebody's peer (has a public key), ordered by index: the very objects
   * the configs share, so a controller can diff two versions once for all nodes.
   */
  peers: TPeerConfig[];
  /**
   * Pairs of keyed nodes left without a tunnel because no direct path can work or it was
   * measured dead. Spoke-to-spoke pairs of a hub-and-spoke mesh are not listed (there are
   * N² of them): hubIds tells them apart.
   */
  skippedPairs: TSkippedPair[];
  /** The hubs (node ids, by index); empty for a full mesh. */
  hubIds: string[];
}

/** A node's desired config without its peer list (see {@link compileMeshParts}). */
export type TNodeConfigHead = Omit<TDesiredNodeConfig, "peers">;

/** The whole mesh compiled, each node's peer list built only when asked for. */
export interface TCompiledMeshParts {
  /** One config per node without its peers, ordered by index. */
  heads: TNodeConfigHead[];
  /** Every peer entry once, ordered by index (as in {@link TCompiledMeshConfigs}). */
  peers: TPeerConfig[];
  /** Pairs of keyed nodes left without a tunnel (no direct path possible, or measured dead). */
  skippedPairs: TSkippedPair[];
  /** The hubs (node ids, by index); empty for a full mesh. */
  hubIds: string[];
  /** The full config of the node a head belongs to (a new peer list on every call). */
  configOf: (head: TNodeConfigHead) => TDesiredNodeConfig;
}

/**
 * {@link compileMesh} without building every node's peer list: those are N lists of N-1 peers
 * (4 million entries at 2,000 nodes, most of the compile time), while a change only needs each
 * node's head and the mesh-wide peer diff. `configOf` builds one node's list on demand.
 */
export function compileMeshParts(input: TCompileNodeConfigsInput): TCompiledMeshParts {
  assertUnique(input.nodes, "id", "id");
  assertUnique(input.nodes, "index", "index");
  assertUnique(input.nodes, "asn", "ASN");
  assertUnique(input.nodes, "ipv4", "IPv4 address");
  assertUnique(input.nodes, "ipv6", "IPv6 address");
  const sorted = [...input.nodes].sort((a, b) => a.index - b.index);
  const peers: TPeerConfig[] = [];
  for (const node of sorted) {
    if (node.publicKey === null) continue;
    peers.push({
      ...toIdentity(node),
      publicKey: node.publicKey,
      endpoints: [...node.endpoints],
      allowedRanges: toPeerAllowedRanges(node.routing),
      ...(node.nextPublicKey ? { nextPublicKey: node.nextPublicKey } : {}),
    });
  }
  const settings: TMeshSettings = { ...input.settings, bfd: { ...input.settings.bfd } };
  const hubIds = new Set(sorted.filter((node) => node.isHub === true).map((node) => node.id));
  const hubPeers = peers.filter((peer) => hubIds.has(peer.id));
  const keyedIds = new Set(peers.map((peer) => peer.id));
  const { skippedPairs, skipped } = findSkippedPairs(peers, input.failedPairs ?? [], hubIds);
  let meshPrefixes: string[] | undefined;
  // A node with a tunnel to every other keyed node needs no AS path longer than a detour
  // through one other node (ZMeshSettings.maxAsPathLength); a spoke beside other spokes, or a
  // node with a skipped pair, reaches some nodes only through chains and takes any length.
  const keyedSpokes = hubIds.size === 0 ? 0 : peers.filter((peer) => !hubIds.has(peer.id)).length;
  const reachesAllDirectly = (id: string) =>
    (skipped.get(id)?.size ?? 0) === 0 &&
    (hubIds.size === 0 || hubIds.has(id) || keyedSpokes === (keyedIds.has(id) ? 1 : 0));
  const directSettings: TMeshSettings = { ...settings, maxAsPathLength: DIRECT_MAX_AS_PATH_LENGTH };
  const heads: TNodeConfigHead[] = sorted.map((node) => {
    const base = reachesAllDirectly(node.id) ? directSettings : settings;
    return {
      version: input.version,
      self: toIdentity(node),
      settings: node.bfd ? { ...base, bfd: { ...node.bfd } } : base,
      rotation: node.pendingRotationId === null ? null : { id: node.pendingRotationId },
      routing: node.routing ?? DEFAULT_NODE_ROUTING,
      ...(node.reapplyId ? { reapplyId: node.reapplyId } : {}),
    };
  });
  const configOf = ({ version, self, ...rest }: TNodeConfigHead): TDesiredNodeConfig => {
    const excluded = skipped.get(self.id);
    // A spoke's candidates are the hubs; a hub's (or, with no hubs, anyone's) every node.
    const candidates = hubIds.size === 0 || hubIds.has(self.id) ? peers : hubPeers;
    const nodePeers = candidates.filter((peer) => peer.id !== self.id && !excluded?.has(peer.id));
    // A node missing some peers gets routes from them through others: its prefix lists must
    // know every prefix of the mesh (one shared list; its own and its peers' do no harm).
    const isPartial = !reachesAllDirectly(self.id);
    const remotePrefixes = isPartial ? (meshPrefixes ??= listMeshPrefixes(peers)) : [];
    // ... and their route-source ranges, bound to their origins as a peer's are.
    const remoteRanges = isPartial ? listRemoteRanges(peers, nodePeers, self.id) : [];
    // Keys in the order configs always had (version, self, peers, ...).
    return {
      version,
      self,
      peers: nodePeers,
      ...rest,
      ...(remotePrefixes.length > 0 ? { remotePrefixes } : {}),
      ...(remoteRanges.length > 0 ? { remoteRanges } : {}),
    };
  };
  return { heads, peers, skippedPairs, hubIds: [...hubIds], configOf };
}

/**
 * Compiles one desired config per node, ordered by node index. Each node's peers are every
 * other node that has a public key (a node without one is nobody's peer yet, but still gets
 * its own config), ordered by index; with hubs, a spoke's peers are the hubs; pairs that can
 * have no tunnel are left out. Throws NetcfgError DUPLICATE when two nodes share an id,
 * index, ASN or address. Peer objects are shared between the returned configs: treat them as
 * read-only.
 */
export function compileMesh(input: TCompileNodeConfigsInput): TCompiledMeshConfigs {
  const { heads, peers, skippedPairs, hubIds, configOf } = compileMeshParts(input);
  return { configs: heads.map(configOf), peers, skippedPairs, hubIds };
}

/** Every prefix some keyed node advertises, sorted and deduplicated. */
function listRemoteRanges(
  peers: readonly TPeerConfig[],
  nodePeers: readonly TPeerConfig[],
  selfId: string,
): TRemoteRanges[] {
  const direct = new Set(nodePeers.map((peer) => peer.id));
  return peers
    .filter((peer) => peer.allowedRanges.length > 0 && peer.id !== selfId && !direct.has(peer.id))
    .map((peer) => ({ index: peer.index, asn: peer.asn, allowedRanges: peer.allowedRanges }));
}

function listMeshPrefixes(peers: readonly TPeerConfig[]): string[] {
  return [...new Set(peers.flatMap((peer) => peer.advertisedPrefixes))].sort();
}

/** True when the compiled peer lists differ per node (deltas must then be cut per node). */
export function hasPerNodePeerLists(mesh: Pick<TCompiledMeshConfigs, "skippedPairs" | "hubIds">) {
  return mesh.skippedPairs.length > 0 || mesh.hubIds.length > 0;
}

/**
 * The pairs among `peers` that get no tunnel: no direct path can work (both behind NAT, no
 * common family), or the agents measured it dead. Each underlay is parsed once and most pairs
 * cost a few property reads (a 1,000-node mesh has half a million pairs).
 */
function findSkippedPairs(
  peers: readonly TPeerConfig[],
  failedPairs: readonly TFailedPair[],
  hubIds: ReadonlySet<string>,
) {
  const failed = new Map(failedPairs.map((pair) => [pairKey(...pair.nodeIds), pair.reason]));
  const views: TUnderlayView[] = peers.map((peer) =>
    viewUnderlay({ endpoints: peer.endpoints, isBehindNat: peer.isBehindNat ?? false }),
  );
  // chooseDirectPath finds a path exactly when the nodes share a family and are not both
  // behind NAT: as bits, so the common pair costs two integer tests.
  const families = views.map((view) => (view.byFamily.ipv6 ? 1 : 0) | (view.byFamily.ipv4 ? 2 : 0));
  const hubs = peers.map((peer) => hubIds.has(peer.id));
  const skippedPairs: TSkippedPair[] = [];
  const skipped = new Map<string, Set<string>>();
  const skip = (
    a: TPeerConfig,
    b: TPeerConfig,
    reason: TSkippedPairReason,
    detail: string | null,
  ) => {
    skippedPairs.push({ a: a.id, b: b.id, reason, detail });
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = skipped.get(from.id) ?? new Set<string>();
      set.add(to.id);
      skipped.set(from.id, set);
    }
  };
  for (let i = 0; i < peers.length; i++) {
    const a = peers[i]!;
    const viewA = views[i]!;
    for (let j = i + 1; j < peers.length; j++) {
      // Spoke-to-spoke pairs are no candidates at all (compileMesh never offers them).
      if (hubIds.size > 0 && !hubs[i] && !hubs[j]) continue;
      const isPossible =
        (families[i]! & families[j]!) !== 0 && !(viewA.isBehindNat && views[j]!.isBehindNat);
      const b = peers[j]!;
      if (!isPossible) {
        const path = chooseDirectPath(viewA, views[j]!);
        skip(a, b, path.kind === "none" ? path.reason : "no-common-family", null);
        continue;
      }
      const failure = failed.size > 0 ? failed.get(pairKey(a.id, b.id)) : undefined;
      if (failure !== undefined) skip(a, b, "measured-dead", failure);
    }
  }
  return { skippedPairs, skipped };
}

/** {@link compileMesh}, configs only. */
export function compileNodeConfigs(input: TCompileNodeConfigsInput): TDesiredNodeConfig[] {
  return compileMesh(input).configs;
}
