import { isSoftwareEmulated, type THealthReport } from "@meshover/netcfg";
import { Prisma, type TPrismaClient } from "@meshover/prisma";
import { insertHealthSamples } from "../../lib/health-sample";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { readPreviousReport, type TPreviousReport } from "../events/record-report-events";
import { isHandshakeSince } from "../key/is-handshake-since";
import { MESH_CHANNEL, getMeshFanout } from "../../lib/mesh-fanout";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import {
  ingestRouteCandidates,
  normalizeRouteCandidates,
} from "../routing/ingest-route-candidates";
import { storeObservedState } from "../routes/store-observed-state";
import {
  ingestRoutineReport,
  listRotationCandidates,
  type TReportOptions,
} from "./ingest-routine-report";
import {
  findDirectPathChanges,
  hasDirectPathChanges,
  recordDirectPathChanges,
} from "./record-direct-paths";

/** What a report says about running rotations: handshakes on current and rotation tunnels. */
export type TRotationEvidence = Pick<THealthReport, "peers" | "rotationTunnels">;

/** True when a report shows a handshake on a rotation tunnel (it may finish a rotation). */
export function hasRotationEvidence(report: Pick<THealthReport, "rotationTunnels">): boolean {
  return (report.rotationTunnels ?? []).some((t) => t.handshakeAt !== null);
}

/**
 * The rotation progress a report proves (handshakes over rotation tunnels); the new mesh version
 * when it finished a rotation (the promoted key changes the peers' configs). The pairs it proves
 * are marked done in one statement per rotation, without the mesh lock (a pair once done stays
 * done, and concurrent marks queue on the row); a rotation whose pairs are then all done is
 * finished in one statement that takes the mesh lock first, like every mesh change, promotes
 * the key and bumps the version: the lock is held for no round trip to this process. Every pair's marks
 * under the lock queued a busy 8-node rotation's reports past Prisma's 5 s transaction limit;
 * later a finish as an interactive transaction (seven round trips under the lock, each waiting
 * for a CPU-starved controller) queued the other reports' finish attempts and health writes
 * behind it for seconds (pg_stat_activity: up to 15 sessions waiting on the lock or the node).
 */
export async function recordRotationEvidence(
  db: TPrismaClient,
  options: { nodeId: string; report: TRotationEvidence },
): Promise<bigint | null> {
  const complete = await markProvenPairs(db, options);
  if (complete.length === 0) return null;
  const [row] = await db.$queryRaw<{ meshVersion: bigint }[]>(
    finishRotationsSql(complete, { isLocking: true }),
  );
  return row?.meshVersion ?? null;
}

/** recordRotationEvidence, its new version (a promoted key) published to the config streams. */
async function publishRotationEvidence(
  db: TPrismaClient,
  options: { nodeId: string; report: TRotationEvidence },
): Promise<number | null> {
  const version = await recordRotationEvidence(db, options);
  if (version === null) return null;
  getMeshFanout(db).publish(version);
  return Number(version);
}

/**
 * Take the mesh lock (the Setting row every mesh change bumps) without bumping: rotation
 * progress then orders after and before mesh changes, and bumps only when it promotes a key.
 */
export async function lockMesh(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Setting" WHERE id = 1 FOR UPDATE`;
}

function isSameList(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** What storing a report did. */
export interface TIngestedReport {
  /** The mesh version the report's changes committed (a new key, endpoints, conflicts), if any. */
  meshVersion: number | null;
  /** What the timeline compares the report with: the node's state before it. */
  previous: TPreviousReport;
  /** The route delta did not fit the stored set: the agent must send its full set next. */
  routesResync: boolean;
}

/**
 * Store an agent's health report, whichever of its parts it carries: node facts and samples
 * (the fast case, one statement, for a routine report; the general case for the rest), then
 * the route candidates and the observed routes, which both cases leave apart.
 */
export async function ingestReport(options: TReportOptions): Promise<TIngestedReport> {
  const { db, nodeId, report, now } = options;
  // A candidate that is no prefix refuses the whole report before anything is stored.
  const candidates =
    report.routeCandidates === null ? null : normalizeRouteCandidates(report.routeCandidates);
  const routine = await ingestRoutineReport(options);
  let meshVersion: number | null = null;
  let previous: TPreviousReport;
  if (routine) {
    previous = routine.previous;
    // A peer's key rotation waits for handshakes: this report may prove a pair (or the last).
    if (routine.isRotationWaiting) meshVersion = await publishRotationEvidence(db, options);
  } else {
    // The timeline compares this report with the samples before it (read before they are
    // replaced as the latest).
    previous = await readPreviousReport({
      db,
      nodeId,
      peerIds: report.peers.map((peer) => peer.peerId),
    });
    ({ meshVersion } = await ingestGeneralReport(options));
  }
  // Null: the candidates did not change since the last accepted report.
  if (candidates !== null) {
    const routes = await ingestRouteCandidates({ db, nodeId, candidates, now });
    if (routes.meshVersion !== null) meshVersion = Number(routes.meshVersion);
  }
  // The fast case stored the observed mesh and the re-apply request already.
  const { routesResync } = await storeObservedState({
    db,
    nodeId,
    report: routine ? { ...report, observed: undefined, reappliedId: undefined } : report,
    now,
  });
  return { meshVersion, previous, routesResync };
}

/** The `virtualization` fact of a stored hostInfo (JSON), null when it has none. */
function readVirtualization(hostInfo: unknown): string | null {
  const value =
    typeof hostInfo === "object" && hostInfo !== null && "virtualization" in hostInfo
      ? hostInfo.virtualization
      : null;
  return typeof value === "string" ? value : null;
}

/**
 * The general case of `ingestReport` (a new key or endpoints, a rotation to advance, a direct
 * path to record): node facts (last seen, version, host info, endpoints, applied version,
 * apply error), one HealthSample per known peer, and key-rotation progress.
 * A new public key or new endpoints change the peers' configs, so those go through a mesh
 * change (version bump + NOTIFY). All of it is one transaction: a rejected report changes nothing.
 */
export async function ingestGeneralReport({
  db,
  nodeId,
  report,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  report: THealthReport;
  now?: Date;
}): Promise<{ meshVersion: number | null }> {
  const node = await db.node.findUnique({
    where: { id: nodeId },
    select: { publicKey: true, endpoints: true, hostInfo: true },
  });
  if (!node) throw new ServiceError("NOT_FOUND", "this node was removed from the mesh");
  // A rotation the controller just finished promoted the node's next key; a report the agent
  // sent before it saw that still names the old key, and must not put it back (its peers would
  // re-key the new tunnels to the old key and break them).
  const isStaleKey =
    node.publicKey !== report.publicKey &&
    node.publicKey !== null &&
    (await db.keyRotation.count({
      where: {
        nodeId,
        status: "done",
        oldPublicKey: report.publicKey,
        newPublicKey: node.publicKey,
      },
    })) > 0;
  const publicKey = isStaleKey ? node.publicKey! : report.publicKey;
  const isKeyChanged = node.publicKey !== publicKey;
  // A next key answering this node's pending rotation: every peer builds a tunnel to it.
  const nextKey = report.nextKey ?? null;
  const answered = nextKey
    ? await db.keyRotation.findFirst({
        where: { id: nextKey.rotationId, nodeId, status: "pending" },
        select: { id: true },
      })
    : null;
  const paths = await findDirectPathChanges({ db, nodeId, report, now });
  const isMeshChange =
    isKeyChanged ||
    answered !== null ||
    !isSameList(node.endpoints, report.endpoints) ||
    // Moved onto (or off) a software-emulated machine: its BFD timers change, in its own
    // config and in its peers' (each end asks for its own).
    isSoftwareEmulated(readVirtualization(node.hostInfo)) !==
      isSoftwareEmulated(report.hostInfo.virtualization) ||
    hasDirectPathChanges(paths);

  const write = async (tx: Prisma.TransactionClient) => {
    await tx.node.update({
      where: { id: nodeId },
      data: {
        lastSeenAt: now,
        agentVersion: report.agentVersion,
        hostInfo: report.hostInfo,
        endpoints: report.endpoints,
        appliedConfigVersion: report.appliedVersion === null ? null : BigInt(report.appliedVersion),
        applyError: report.applyError,
      },
      select: { id: true },
    });
    // The key only when it changed, and only if it is still the one read above: a rotation
    // promoted in between (another report's evidence) would otherwise be undone, and the next
    // mesh version would re-key every peer's tunnel to the old key (a busy 8-node bench run: a
    // pair down for 6 s until the node's next report put the key back).
    const isKeyWritten =
      isKeyChanged &&
      (
        await tx.node.updateMany({
          where: { id: nodeId, publicKey: node.publicKey },
          data: { publicKey },
        })
      ).count > 0;
    if (isKeyWritten && report.rotationId) {
      await recordNewKey(tx, { nodeId, rotationId: report.rotationId, key: report.publicKey, now });
    }
    if (answered && nextKey) {
      await recordNewKey(tx, { nodeId, rotationId: answered.id, key: nextKey.publicKey, now });
    }
    await insertHealthSamples(tx, {
      nodeId,
      at: now,
      peers: report.peers.filter((peer) => peer.peerId !== nodeId),
    });
    if (hasDirectPathChanges(paths))
      await recordDirectPathChanges(tx, { nodeId, changes: paths, now });
  };

  try {
    if (isMeshChange) {
      const version = await commitMeshChange(db, async (tx) => {
        await write(tx);
        await recordRotationProgress(tx, { nodeId, report });
        const row = await tx.setting.findUniqueOrThrow({
          where: { id: 1 },
          select: { meshVersion: true },
        });
        return row.meshVersion;
      });
      return { meshVersion: Number(version) };
    }
    // One transaction for the common case too: a report that fails part-way (a sample
    // refused) must not leave the node's facts half updated. It does not take the mesh lock:
    // under churn (every node reporting each BGP change) reports queued on it, and 17 of one
    // busy 8-node rotation's expired after 5 s. Rotation evidence follows on its own.
    await db.$transaction((tx) => write(tx));
    return { meshVersion: await publishRotationEvidence(db, { nodeId, report }) };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceError("CONFLICT", "another node already uses this WireGuard public key");
    }
    throw error;
  }
}

// The node reported a new key (its next key, or with an older agent the key it already uses):
// if it answers the pending rotation, the rotation moves on to waiting for every peer's
// handshake with it. With no peer to wait for it is done at once (and a next key promoted).
export async function recordNewKey(
  tx: Prisma.TransactionClient,
  { nodeId, rotationId, key, now }: { nodeId: string; rotationId: string; key: string; now: Date },
) {
  const rotation = await tx.keyRotation.findFirst({
    where: { id: rotationId, nodeId, status: "pending" },
    select: { id: true },
  });
  if (!rotation) return;
  const peers = await tx.node.findMany({
    where: { id: { not: nodeId }, publicKey: { not: null } },
    select: { id: true },
  });
  const progress = Object.fromEntries(peers.map((peer) => [peer.id, "waiting"]));
  await tx.keyRotation.update({
    where: { id: rotation.id },
    data: {
      status: peers.length === 0 ? "done" : "reported",
      newPublicKey: key,
      reportedAt: now,
      peerProgress: progress,
      completedAt: peers.length === 0 ? now : null,
    },
    select: { id: true },
  });
  if (peers.length === 0) await promoteKey(tx, nodeId, key);
}

// A finished rotation's key becomes the node's key and its keySlot flips: the node and its
// peers switch to the new tunnels and retire the old ones. A no-op when an older agent already
// reported the key as its current one.
async function promoteKey(tx: Prisma.TransactionClient, nodeId: string, key: string) {
  const changed = await tx.$executeRaw`
    UPDATE "Node" SET "publicKey" = ${key}, "keyGeneration" = "keyGeneration" + 1
    WHERE id = ${nodeId}::uuid AND "publicKey" IS DISTINCT FROM ${key}`;
  return changed > 0;
}

// Evidence that a pair works with a rotating node's new key: a handshake since the key was
// reported, on a tunnel whose keys include it, seen from either end: a peer's current tunnel
// (older agents switch keys in place) or rotation tunnel to the rotating node, or the rotating
// node's own rotation tunnel to a peer.
function findHandshakenPeers(
  reporterId: string,
  report: TRotationEvidence,
  rotation: { nodeId: string; newPublicKey: string; reportedAt: Date },
): string[] {
  const isSince = (at: string | null) =>
    at !== null && isHandshakeSince(new Date(at), rotation.reportedAt);
  const tunnels = report.rotationTunnels ?? [];
  if (rotation.nodeId === reporterId) {
    return tunnels
      .filter((t) => t.publicKey === rotation.newPublicKey && isSince(t.handshakeAt))
      .map((t) => t.peerId);
  }
  const isSeen = [...report.peers, ...tunnels].some(
    (t) =>
      t.peerId === rotation.nodeId &&
      t.peerPublicKey === rotation.newPublicKey &&
      isSince(t.handshakeAt),
  );
  return isSeen ? [reporterId] : [];
}

/** The peers of running rotations whose pairs this report proves done, by rotation. */
async function findProvenPairs(
  db: Prisma.TransactionClient | TPrismaClient,
  { nodeId, report }: { nodeId: string; report: TRotationEvidence },
) {
  const rotations = await db.keyRotation.findMany({
    where: { status: "reported", nodeId: { in: listRotationCandidates(nodeId, report) } },
    select: { id: true, nodeId: true, newPublicKey: true, reportedAt: true, peerProgress: true },
  });
  return rotations.flatMap(({ id, nodeId: rotatingId, newPublicKey, reportedAt, peerProgress }) => {
    if (!newPublicKey || !reportedAt) return [];
    const done = findHandshakenPeers(nodeId, report, {
      nodeId: rotatingId,
      newPublicKey,
      reportedAt,
    });
    const progress = (peerProgress ?? {}) as Record<string, unknown>;
    return done.length === 0 ? [] : [{ id, done, progress }];
  });
}

/**
 * Mark the pairs this report proves that are not marked yet, one statement per rotation (a
 * rotating node's own report proves every pair at once: a statement per pair cost a round trip
 * each, seconds on a starved controller; concurrent marks of one rotation queue on its row and
 * each adds to what the other wrote); the rotations whose pairs are then all done. One with
 * nothing new to mark counts when all its pairs were done already: its finish (under the lock)
 * may have failed after the marks were stored, and a later report must be able to finish it.
 */
async function markProvenPairs(
  db: Prisma.TransactionClient | TPrismaClient,
  options: { nodeId: string; report: TRotationEvidence },
): Promise<string[]> {
  const complete: string[] = [];
  for (const { id, done, progress } of await findProvenPairs(db, options)) {
    // Every report during a rotation carries the same handshakes again: nothing to write.
    const fresh = done.filter((peerId) => progress[peerId] !== "done");
    let isComplete = Object.values(progress).every((value) => value === "done");
    if (fresh.length > 0) {
      const [row] = await db.$queryRaw<{ isComplete: boolean }[]>`
        UPDATE "KeyRotation"
        SET "peerProgress" = "peerProgress" || (
          SELECT jsonb_object_agg(peer, 'done') FROM unnest(${fresh}::text[]) AS peer
          WHERE "peerProgress" ? peer)
        WHERE id = ${id}::uuid AND status = 'reported' AND "peerProgress" ?| ${fresh}::text[]
        RETURNING NOT EXISTS (
          SELECT 1 FROM jsonb_each_text("peerProgress") p WHERE p.value <> 'done'
        ) AS "isComplete"`;
      isComplete = row?.isComplete ?? false;
    }
    if (isComplete) complete.push(id);
  }
  return complete;
}

/**
 * One statement that finishes the rotations (ids) whose pairs are all done and promotes their
 * keys (a key promoted flips the pair slots: the peers' configs change). Locking: first the
 * mesh lock (the Setting row; an uncorrelated EXISTS is a one-time filter, evaluated before any
 * rotation row is touched, so the order is the one every mesh change takes), then the bump
 * when a key changed; it answers that version (no row: nothing promoted), NOTIFY included.
 * Without locking it is for a transaction that holds the lock and bumps itself, and answers
 * one row per promoted key.
 */
function finishRotationsSql(ids: string[], { isLocking }: { isLocking: boolean }) {
  const promote = Prisma.sql`
    finished AS (
      UPDATE "KeyRotation" SET status = 'done', "completedAt" = now()
      WHERE id = ANY(${ids}::uuid[]) AND status = 'reported' AND "newPublicKey" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM jsonb_each_text("peerProgress") p WHERE p.value <> 'done')
        ${isLocking ? Prisma.sql`AND EXISTS (SELECT 1 FROM locked)` : Prisma.empty}
      RETURNING "nodeId", "newPublicKey"
    ), promoted AS (
      UPDATE "Node" n SET "publicKey" = f."newPublicKey", "keyGeneration" = n."keyGeneration" + 1
      FROM finished f
      WHERE n.id = f."nodeId" AND n."publicKey" IS DISTINCT FROM f."newPublicKey"
      RETURNING n.id
    )`;
  if (!isLocking) return Prisma.sql`WITH ${promote} SELECT id::text FROM promoted`;
  return Prisma.sql`
    WITH locked AS (SELECT 1 FROM "Setting" WHERE id = 1 FOR UPDATE), ${promote},
    bumped AS (
      UPDATE "Setting" SET "meshVersion" = "meshVersion" + 1
      WHERE id = 1 AND EXISTS (SELECT 1 FROM promoted)
      RETURNING "meshVersion"
    )
    SELECT "meshVersion" FROM bumped CROSS JOIN LATERAL pg_notify(${MESH_CHANNEL}, "meshVersion"::text)`;
}

// Marks the pairs this report proves done, and finishes a rotation whose pairs are all done
// (promoting its key), inside a transaction that holds the mesh lock (a mesh change that carries
// evidence). True when a key was promoted (the peers' configs change).
export async function recordRotationProgress(
  tx: Prisma.TransactionClient,
  options: { nodeId: string; report: TRotationEvidence },
): Promise<boolean> {
  const complete = await markProvenPairs(tx, options);
  if (complete.length === 0) return false;
  const promoted = await tx.$queryRaw<{ id: string }[]>(
    finishRotationsSql(complete, { isLocking: false }),
  );
  return promoted.length > 0;
}
