import { normalizePrefix, type TRouteCandidate } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { getMeshFanout } from "../../lib/mesh-fanout";
import { bumpMeshVersion } from "../mesh/commit-mesh-change";
import { refreshRouteConflicts, toSqlTimestamp } from "./refresh-route-conflicts";

/** A change older than this starts a new flap count. */
const FLAP_WINDOW_MS = 24 * 3600 * 1000;

interface TStoredCandidate {
  id: bigint;
  prefix: string;
  source: string;
  interface: string | null;
  protocol: string | null;
  speaker: string | null;
  verdict: string;
  refusal: string | null;
  detail: string | null;
  lastChangeAt: Date;
  flapCount: number;
  goneAt: Date | null;
}

function keyOf(candidate: { prefix: string; source: string }) {
  return `${candidate.source} ${candidate.prefix}`;
}

function countFlap(row: TStoredCandidate, now: Date) {
  return now.getTime() - row.lastChangeAt.getTime() > FLAP_WINDOW_MS ? 1 : row.flapCount + 1;
}

/**
 * The candidates with canonical prefixes, one per (source, prefix). Throws NetcfgError
 * INVALID_CIDR for a prefix that is not one, so a report can be refused before anything of it
 * is stored.
 */
export function normalizeRouteCandidates(
  candidates: readonly TRouteCandidate[],
): Map<string, TRouteCandidate> {
  const normalized = new Map<string, TRouteCandidate>();
  for (const candidate of candidates) {
    const entry = { ...candidate, prefix: normalizePrefix(candidate.prefix) };
    if (!normalized.has(keyOf(entry))) normalized.set(keyOf(entry), entry);
  }
  return normalized;
}

/**
 * Store the route candidates a node's agent reported (its complete current list): new ones get
 * firstSeenAt, a changed verdict or a return counts a flap, vanished ones are marked gone (kept,
 * so a return is a flap too). When a prefix appeared on or vanished from the node, the conflicts
 * of those prefixes are recomputed, and only a changed conflict set bumps the mesh version (the
 * withheld prefixes are part of the nodes' configs). One transaction under the Setting row lock.
 */
export async function ingestRouteCandidates({
  db,
  nodeId,
  candidates,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  candidates: readonly TRouteCandidate[];
  now?: Date;
}): Promise<{ changed: number; meshVersion: bigint | null }> {
  const incoming = normalizeRouteCandidates(candidates);
  const result = await db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Setting" WHERE id = 1 FOR UPDATE`;
      const stored = await tx.$queryRaw<TStoredCandidate[]>`
        SELECT id, prefix, source, interface, protocol, speaker, verdict, refusal, detail,
          "lastChangeAt", "flapCount", "goneAt"
        FROM "DiscoveredRoute" WHERE "nodeId" = ${nodeId}::uuid`;
      const byKey = new Map(stored.map((row) => [keyOf(row), row]));
      const inserts: TRouteCandidate[] = [];
      const updates: object[] = [];
      const gone: bigint[] = [];
      const moved = new Set<string>();
      for (const [key, candidate] of incoming) {
        const row = byKey.get(key);
        if (!row) {
          inserts.push(candidate);
          moved.add(candidate.prefix);
          continue;
        }
        const isBack = row.goneAt !== null;
        const isVerdictChanged =
          row.verdict !== candidate.verdict || row.refusal !== candidate.refusal;
        const isDetailChanged =
          row.detail !== candidate.detail ||
          row.interface !== candidate.interface ||
          row.protocol !== candidate.protocol ||
          row.speaker !== candidate.speaker;
        if (!isBack && !isVerdictChanged && !isDetailChanged) continue;
        if (isBack) moved.add(candidate.prefix);
        const isFlap = isBack || isVerdictChanged;
        updates.push({
          id: row.id.toString(),
          interface: candidate.interface,
          protocol: candidate.protocol,
          speaker: candidate.speaker,
          verdict: candidate.verdict,
          refusal: candidate.refusal,
          detail: candidate.detail,
          lastChangeAt: toSqlTimestamp(isFlap ? now : row.lastChangeAt),
          flapCount: isFlap ? countFlap(row, now) : row.flapCount,
        });
      }
      const goneUpdates: object[] = [];
      for (const row of stored) {
        if (row.goneAt !== null || incoming.has(keyOf(row))) continue;
        gone.push(row.id);
        moved.add(row.prefix);
        goneUpdates.push({ id: row.id.toString(), flapCount: countFlap(row, now) });
      }
      const at = toSqlTimestamp(now);
      if (inserts.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "DiscoveredRoute" ("nodeId", prefix, source, interface, protocol, speaker,
            verdict, refusal, detail, "firstSeenAt", "lastChangeAt", "flapCount")
          SELECT ${nodeId}::uuid, c.prefix, c.source, c.interface, c.protocol, c.speaker,
            c.verdict, c.refusal, c.detail, ${at}::timestamp, ${at}::timestamp, 0
          FROM json_to_recordset(${JSON.stringify(inserts)}::json) AS c(prefix text, source text,
            interface text, protocol text, speaker text, verdict text, refusal text, detail text)`;
      }
      if (updates.length > 0) {
        await tx.$executeRaw`
          UPDATE "DiscoveredRoute" d SET interface = c.interface, protocol = c.protocol,
            speaker = c.speaker, verdict = c.verdict, refusal = c.refusal, detail = c.detail,
            "lastChangeAt" = c."lastChangeAt", "flapCount" = c."flapCount", "goneAt" = NULL
          FROM json_to_recordset(${JSON.stringify(updates)}::json) AS c(id bigint,
            interface text, protocol text, speaker text, verdict text, refusal text, detail text,
            "lastChangeAt" timestamp, "flapCount" int)
          WHERE d.id = c.id`;
      }
      if (goneUpdates.length > 0) {
        await tx.$executeRaw`
          UPDATE "DiscoveredRoute" d SET "goneAt" = ${at}::timestamp,
            "lastChangeAt" = ${at}::timestamp, "flapCount" = c."flapCount"
          FROM json_to_recordset(${JSON.stringify(goneUpdates)}::json) AS c(id bigint, "flapCount" int)
          WHERE d.id = c.id`;
      }
      const refresh = await refreshRouteConflicts(tx, {
        prefixes: moved,
        causeNodeId: nodeId,
        now,
      });
      const meshVersion = refresh.isChanged ? await bumpMeshVersion(tx) : null;
      return { changed: inserts.length + updates.length + gone.length, meshVersion };
    },
    { maxWait: 15_000, timeout: 20_000 },
  );
  if (result.meshVersion !== null) getMeshFanout(db).publish(result.meshVersion);
  return result;
}
