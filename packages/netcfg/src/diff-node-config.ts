// Config deltas: after the first full config on a stream, the controller sends only what
// changed. Peer entries are the bulk of a config (a full mesh of 500 nodes: 120 KB per node,
// 61 MB per change over all agents) and one change usually touches one node, so a delta is the
// small part of the config in full plus the changed peers. The controller diffs the mesh's peer
// list once per version pair and cuts each node's delta from it; the agent applies it to the
// config it last received on the same stream.
import type {
  TDesiredNodeConfig,
  TDesiredNodeConfigDelta,
  TNodeConfigUpdate,
  TPeerConfig,
} from "./config";
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
 * dropped from the diff).
 */
export function makeConfigDelta(
  baseVersion: number,
  next: TDesiredNodeConfig,
  meshDiff: TPeerListDiff,
): TDesiredNodeConfigDelta {
  const selfId = next.self.id;
  return {
    kind: "delta",
    baseVersion,
    version: next.version,
    self: next.self,
    settings: next.settings,
    rotation: next.rotation,
    upsertPeers: meshDiff.upsertPeers.filter((peer) => peer.id !== selfId),
    removePeerIds: meshDiff.removePeerIds.filter((id) => id !== selfId),
  };
}

/** The delta between two configs of one node (tests; the controller diffs per mesh). */
export function diffNodeConfigs(
  base: TDesiredNodeConfig,
  next: TDesiredNodeConfig,
): TDesiredNodeConfigDelta {
  return makeConfigDelta(base.version, next, diffPeerLists(base.peers, next.peers));
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
  return {
    version: delta.version,
    self: delta.self,
    peers: [...peers.values()].sort((a, b) => a.index - b.index),
    settings: delta.settings,
    rotation: delta.rotation,
  };
}

/**
 * The config after one stream event: a full config replaces `current`, a delta is applied to
 * it. Throws NetcfgError DELTA_MISMATCH for a delta with no or the wrong config at hand.
 */
export function applyConfigUpdate(
  current: TDesiredNodeConfig | null,
  update: TNodeConfigUpdate,
): TDesiredNodeConfig {
  if (!("kind" in update)) return update;
  if (!current) {
    throw new NetcfgError("DELTA_MISMATCH", "config delta without a full config before it");
  }
  return applyConfigDelta(current, update);
}
