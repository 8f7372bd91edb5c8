// Config deltas: after the first full config on a stream, the controller sends only what
// changed. Peer entries are the bulk of a config (a full mesh of 500 nodes: 120 KB per node,
// 61 MB per change over all agents) and one change usually touches one node, so a delta is the
// small part of the config in full plus the changed peers. The controller diffs the mesh's peer
// list once per version pair and cuts each node's delta from it; the agent applies it to the
// config it last received on the same stream.
import type { z } from "zod";
import {
  ZDesiredNodeConfig,
  ZDesiredNodeConfigDelta,
  type TDesiredNodeConfig,
  type TDesiredNodeConfigDelta,
  type TPeerConfig,
} from "./config";
import type { TNodeConfigHead } from "./compile-node-configs";
import { NetcfgError } from "./netcfg-error";

/** Which peers changed between two peer lists. */
export interface TPeerListDiff {
  /** Peers that are new or differ in any field, from the newer list. */
  upsertPeers: TPeerConfig[];
  /** Ids of peers only in the older list. */
  removePeerIds: string[];
}

// Every field, in a fixed order, so two entries compare equal exactly when they are equal.
function toPeerKey(peer: TPeerConfig): string {
  return JSON.stringify([
    peer.name,
    peer.index,
    peer.asn,
    peer.ipv4,
    peer.ipv6,
    peer.advertisedPrefixes,
    peer.publicKey,
    peer.endpoints,
    peer.allowedRanges,
    peer.keySlot ?? 0,
    peer.nextPublicKey ?? null,
    peer.isBehindNat,
    peer.canTransit,
  ]);
}

/** The peers added, changed and removed from `base` to `next` (matched by id). */
export function diffPeerLists(
  base: readonly TPeerConfig[],
  next: readonly TPeerConfig[],
): TPeerListDiff {
  const baseById = new Map(base.map((peer) => [peer.id, peer]));
  const upsertPeers: TPeerConfig[] = [];
  for (const peer of next) {
    const old = baseById.get(peer.id);
    baseById.delete(peer.id);
    if (old !== peer && (!old || toPeerKey(old) !== toPeerKey(peer))) upsertPeers.push(peer);
  }
  return { upsertPeers, removePeerIds: [...baseById.keys()] };
}

/**
 * The delta that turns the config a node had at `baseVersion` into `next`, given the mesh-wide
 * peer diff between those versions (the node itself is never its own peer, so its entry is
 * dropped from the diff). Pass the node's config at `baseVersion` as `base` when some nodes'
 * peer lists leave pairs out (compileMesh's skippedPairs, in either version): the delta then
 * also adds peers that became reachable, removes those that stopped being, and leaves out
 * changes of peers this node does not have.
 */
export function makeConfigDelta(
  baseVersion: number,
  next: TNodeConfigHead,
  meshDiff: TPeerListDiff,
): TDesiredNodeConfigDelta;
export function makeConfigDelta(
  baseVersion: number,
  next: TDesiredNodeConfig,
  meshDiff: TPeerListDiff,
  base: TDesiredNodeConfig | undefined,
): TDesiredNodeConfigDelta;
export function makeConfigDelta(
  baseVersion: number,
  next: TNodeConfigHead & { peers?: TDesiredNodeConfig["peers"] },
  meshDiff: TPeerListDiff,
  base?: TDesiredNodeConfig,
): TDesiredNodeConfigDelta {
  const selfId = next.self.id;
  const delta: TDesiredNodeConfigDelta = {
    kind: "delta",
    baseVersion,
    version: next.version,
    self: next.self,
    settings: next.settings,
    rotation: next.rotation,
    routing: next.routing,
    ...(next.reapplyId ? { reapplyId: next.reapplyId } : {}),
    upsertPeers: meshDiff.upsertPeers.filter((peer) => peer.id !== selfId),
    removePeerIds: meshDiff.removePeerIds.filter((id) => id !== selfId),
  };
  if (!base) return delta;
  const baseIds = new Set(base.peers.map((peer) => peer.id));
  // The overloads give a full `next` whenever `base` is given.
  const nextPeers = next.peers ?? [];
  const nextIds = new Set(nextPeers.map((peer) => peer.id));
  const upserted = new Set(delta.upsertPeers.map((peer) => peer.id));
  delta.upsertPeers = [
    ...delta.upsertPeers.filter((peer) => nextIds.has(peer.id)),
    ...nextPeers.filter((peer) => !baseIds.has(peer.id) && !upserted.has(peer.id)),
  ].sort((a, b) => a.index - b.index);
  const removed = new Set(delta.removePeerIds.filter((id) => baseIds.has(id)));
  for (const id of baseIds) if (!nextIds.has(id)) removed.add(id);
  delta.removePeerIds = [...removed].sort();
  const remote = next.remotePrefixes ?? [];
  const baseRemote = base.remotePrefixes ?? [];
  if (remote.length !== baseRemote.length || remote.some((cidr, i) => cidr !== baseRemote[i])) {
    delta.remotePrefixes = remote;
  }
  const ranges = next.remoteRanges ?? [];
  if (JSON.stringify(ranges) !== JSON.stringify(base.remoteRanges ?? [])) {
    delta.remoteRanges = ranges;
  }
  return delta;
}

/** The delta between two configs of one node (tests; the controller diffs per mesh). */
export function diffNodeConfigs(
  base: TDesiredNodeConfig,
  next: TDesiredNodeConfig,
): TDesiredNodeConfigDelta {
  return makeConfigDelta(base.version, next, diffPeerLists(base.peers, next.peers), base);
}

/**
 * Apply a delta to the config it was made against. Throws NetcfgError DELTA_MISMATCH when
 * `base` is another version or another node: the caller must get a full config instead.
 * Peers come out ordered by index, as the controller compiles them.
 */
export function applyConfigDelta(
  base: TDesiredNodeConfig,
  delta: TDesiredNodeConfigDelta,
): TDesiredNodeConfig {
  if (base.version !== delta.baseVersion) {
    throw new NetcfgError(
      "DELTA_MISMATCH",
      `config delta is against version ${delta.baseVersion}, but the config at hand is ${base.version}`,
    );
  }
  if (base.self.id !== delta.self.id) {
    throw new NetcfgError("DELTA_MISMATCH", "config delta is for another node");
  }
  const peers = new Map(base.peers.map((peer) => [peer.id, peer]));
  for (const id of delta.removePeerIds) peers.delete(id);
  for (const peer of delta.upsertPeers) peers.set(peer.id, peer);
  const remotePrefixes = delta.remotePrefixes ?? base.remotePrefixes ?? [];
  const remoteRanges = delta.remoteRanges ?? base.remoteRanges ?? [];
  return {
    version: delta.version,
    self: delta.self,
    peers: [...peers.values()].sort((a, b) => a.index - b.index),
    settings: delta.settings,
    rotation: delta.rotation,
    routing: delta.routing,
    ...(delta.reapplyId ? { reapplyId: delta.reapplyId } : {}),
    ...(remotePrefixes.length > 0 ? { remotePrefixes } : {}),
    ...(remoteRanges.length > 0 ? { remoteRanges } : {}),
  };
}

/** One stream event turned into a full config, or why it could not be. */
export type TConfigUpdateResult =
  { config: TDesiredNodeConfig } | { error: string; isResyncNeeded: boolean };

function describeIssues(error: z.ZodError): string {
  const issues = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  return `malformed config (${issues.join("; ")})`;
}

/**
 * Turn one config stream event (untrusted: parsed here) into a full config: a full config as it
 * is, a delta applied to `current` (the config this stream delivered last). A delta with no or
 * another base asks for a resync; a malformed event is an error either way.
 */
export function resolveConfigUpdate(
  raw: unknown,
  current: TDesiredNodeConfig | null,
): TConfigUpdateResult {
  const isDelta = typeof raw === "object" && raw !== null && "kind" in raw;
  if (!isDelta) {
    const parsed = ZDesiredNodeConfig.safeParse(raw);
    return parsed.success
      ? { config: parsed.data }
      : { error: describeIssues(parsed.error), isResyncNeeded: false };
  }
  const delta = ZDesiredNodeConfigDelta.safeParse(raw);
  if (!delta.success) return { error: describeIssues(delta.error), isResyncNeeded: true };
  if (!current) {
    return { error: "config delta without a full config before it", isResyncNeeded: true };
  }
  try {
    const merged = ZDesiredNodeConfig.safeParse(applyConfigDelta(current, delta.data));
    return merged.success
      ? { config: merged.data }
      : { error: describeIssues(merged.error), isResyncNeeded: true };
  } catch (error) {
    if (error instanceof NetcfgError) return { error: error.message, isResyncNeeded: true };
    throw error;
  }
}

/**
 * resolveConfigUpdate for callers that want the config or an exception (API tests, benches):
 * throws NetcfgError DELTA_MISMATCH for an event that does not resolve.
 */
export function applyConfigUpdate(
  current: TDesiredNodeConfig | null,
  update: unknown,
): TDesiredNodeConfig {
  const result = resolveConfigUpdate(update, current);
  if ("error" in result) throw new NetcfgError("DELTA_MISMATCH", result.error);
  return result.config;
}
