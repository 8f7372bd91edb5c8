import { allocateNodeIdentity, type TEnrollRequest, type TEnrollResponse } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent } from "../../lib/audit";
import { retryOnConflict } from "../../lib/retry-on-conflict";
import { generateSecret, hashSecret } from "../../lib/secrets";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { commitPreparedMeshChange } from "../mesh/commit-mesh-change";

/** Node credentials start with this, so a leaked one is recognisable. */
export const CREDENTIAL_PREFIX = "mo_node_";

/** A free name for a node: the token's preset (refused when taken), else the host's own. */
function pickName(
  taken: ReadonlySet<string>,
  preset: string | null,
  requested: string | undefined,
) {
  if (preset) {
    if (taken.has(preset)) {
      throw new ServiceError("CONFLICT", `a node named "${preset}" already exists`);
    }
    return preset;
  }
  if (!requested) {
    throw new ServiceError("BAD_REQUEST", "the token names no node: send a node name");
  }
  // A host name is only a suggestion: two hosts called "server" become server and server-2.
  if (!taken.has(requested)) return requested;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = requested.slice(0, 63 - suffix.length).replace(/-+$/, "") + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

/** One agent's enrollment, waiting for its batch. */
interface TPendingEnrollment {
  request: TEnrollRequest;
  ip: string | null;
  now: Date;
  credential: string;
  settle: (outcome: { value: TEnrollResponse } | { error: unknown }) => void;
}

/** The checked token of `tokenHash` (known, not revoked, not expired), or why not. */
function checkToken<T extends { revokedAt: Date | null; expiresAt: Date }>(
  token: T | undefined,
  now: Date,
): T {
  if (!token) throw new ServiceError("UNAUTHORIZED", "unknown enrollment token");
  if (token.revokedAt) throw new ServiceError("UNAUTHORIZED", "the enrollment token was revoked");
  if (token.expiresAt <= now)
    throw new ServiceError("UNAUTHORIZED", "the enrollment token expired");
  return token;
}

/**
 * Enroll a batch in one mesh change: one lock, one version, one compile and one push for all
 * of them. Each enrollment is checked and allocated in turn against what the ones before it
 * took; one that fails (bad token, name or key taken) fails alone, before it writes anything.
 * Returns each enrollment's outcome in order.
 */
async function enrollBatch(db: TPrismaClient, batch: TPendingEnrollment[]) {
  const tokenHashes = [...new Set(batch.map((entry) => hashSecret(entry.request.token)))];
  return commitPreparedMeshChange(
    db,
    // Before the mesh lock (other changes wait on it): the tokens and the pools. The claims
    // below are conditional, so a token used up meanwhile still fails.
    async (tx) => {
      const tokens = await tx.enrollmentToken.findMany({
        where: { tokenHash: { in: tokenHashes } },
        select: {
          id: true,
          tokenHash: true,
          hint: true,
          nodeName: true,
          usesAllowed: true,
          expiresAt: true,
          revokedAt: true,
        },
      });
      const settings = await tx.setting.findUniqueOrThrow({
        where: { id: 1 },
        select: { ipv4Pool: true, ipv6Pool: true, basePort: true, asnMin: true, asnMax: true },
      });
      return { tokens: new Map(tokens.map((token) => [token.tokenHash, token])), settings };
    },
    async (tx, { tokens, settings }) => {
      const nodes = (
        await tx.node.findMany({
          select: { index: true, asn: true, ipv4: true, ipv6: true, name: true, publicKey: true },
        })
      ).map((node) => ({ ...node, asn: Number(node.asn) }));
      const names = new Set(nodes.map((node) => node.name));
      const keys = new Set(nodes.map((node) => node.publicKey));
      const outcomes: ({ value: TEnrollResponse } | { error: unknown })[] = [];
      for (const { request, ip, now, credential } of batch) {
        try {
          const token = checkToken(tokens.get(hashSecret(request.token)), now);
          const name = pickName(names, token.nodeName, request.name);
          if (keys.has(request.publicKey)) throw new ServiceError("CONFLICT", KEY_OR_NAME_TAKEN);
          // Conditional increment: two agents racing for the last use cannot both win.
          const claimed = await tx.enrollmentToken.updateMany({
            where: { id: token.id, revokedAt: null, usesCount: { lt: token.usesAllowed } },
            data: { usesCount: { increment: 1 } },
          });
          if (claimed.count !== 1) {
            throw new ServiceError("UNAUTHORIZED", "the enrollment token has been used up");
          }
          const identity = allocateNodeIdentity({
            ipv4Pool: settings.ipv4Pool,
            ipv6Pool: settings.ipv6Pool,
            basePort: settings.basePort,
            asnMin: Number(settings.asnMin),
            asnMax: Number(settings.asnMax),
            nodes,
          });
          const node = await tx.node.create({
            data: {
              name,
              index: identity.index,
              asn: BigInt(identity.asn),
              ipv4: identity.ipv4,
              ipv6: identity.ipv6,
              publicKey: request.publicKey,
              endpoints: request.endpoints,
              agentVersion: request.agentVersion,
              hostInfo: request.hostInfo,
              lastSeenAt: now,
              credentials: { create: { secretHash: hashSecret(credential) } },
            },
            select: { id: true, name: true },
          });
          await writeAuditEvent(tx, {
            actor: { id: null, email: `agent:${node.name}`, ip },
            action: "node.enroll",
            targetType: "node",
            targetId: node.id,
            change: { ...identity, name: node.name, token: token.hint },
          });
          nodes.push({ ...identity, name, publicKey: request.publicKey });
          names.add(name);
          keys.add(request.publicKey);
          outcomes.push({ value: { nodeId: node.id, name: node.name, credential } });
        } catch (error) {
          // Only a refusal found before this enrollment wrote anything is its own; anything
          // else (a database error) fails the transaction and so the whole batch.
          if (!(error instanceof ServiceError)) throw error;
          outcomes.push({ error });
        }
      }
      return outcomes;
    },
  );
}

const KEY_OR_NAME_TAKEN =
  "enrollment conflicts with an existing node (same WireGuard public key or name)";

/**
 * Enrollments wait for the mesh lock one batch at a time: a batch is what arrived until none
 * came for ENROLL_QUIET_MS, and while one batch commits the ones that arrive queue and then go
 * together (a cold start of 12 agents used to take 12 turns of the lock, 0.3 s each on a busy
 * host, and push 12 mesh versions).
 */
class EnrollmentQueue {
  private pending: TPendingEnrollment[] = [];
  private isRunning = false;
  /** When the newest pending enrollment arrived, and the oldest (performance.now() ms). */
  private lastArrivalAt = 0;
  private firstPendingAt = 0;

  constructor(private readonly db: TPrismaClient) {}

  enqueue(entry: Omit<TPendingEnrollment, "settle">): Promise<TEnrollResponse> {
    return new Promise((resolve, reject) => {
      const now = performance.now();
      if (this.pending.length === 0) this.firstPendingAt = now;
      this.lastArrivalAt = now;
      this.pending.push({
        ...entry,
        settle: (outcome) => {
          if ("value" in outcome) resolve(outcome.value);
          else
            reject(
              outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)),
            );
        },
      });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    try {
      while (this.pending.length > 0) {
        await this.waitForQuiet();
        const batch = this.pending;
        this.pending = [];
        try {
          // A unique index that still fired (a node written by another controller process
          // between our read and our insert) runs the batch again on what is there now.
          const outcomes = await retryOnConflict(() => enrollBatch(this.db, batch));
          batch.forEach((entry, i) => entry.settle(outcomes[i]!));
        } catch (error) {
          const refusal = isUniqueViolation(error)
            ? new ServiceError("CONFLICT", KEY_OR_NAME_TAKEN)
            : error;
          for (const entry of batch) entry.settle({ error: refusal });
        }
      }
    } finally {
      this.isRunning = false;
    }
  }

  /**
   * Let a burst finish first: wait until no enrollment arrived for ENROLL_QUIET_MS (at most
   * ENROLL_MAX_WAIT_MS after the oldest one). Twelve agents started at once reach the
   * controller over about half a second; committed as they came they made three mesh
   * versions, and every node that received the first joined with a partial mesh and had to
   * add the rest after (a cold 12-node mesh took 1.4–1.8x a hand-built one, by the batches).
   */
  private async waitForQuiet(): Promise<void> {
    for (;;) {
      const now = performance.now();
      const wait = Math.min(
        this.lastArrivalAt + ENROLL_QUIET_MS - now,
        this.firstPendingAt + ENROLL_MAX_WAIT_MS - now,
      );
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** An enrollment waits this long for another to join its batch (a lone join: this much later). */
const ENROLL_QUIET_MS = 100;
/** The longest an enrollment waits for a burst to end. */
const ENROLL_MAX_WAIT_MS = 1000;

const queues = new WeakMap<TPrismaClient, EnrollmentQueue>();

/**
 * Redeem an enrollment token: check and count it, allocate the node's identity (lowest free
 * index, ASN, IPv4, IPv6), store the node and a fresh credential (hash only), and bump the
 * mesh version so peers learn of it. Enrollments that arrive together commit together.
 */
export function enrollNode({
  db,
  request,
  ip,
  now = new Date(),
}: {
  db: TPrismaClient;
  request: TEnrollRequest;
  ip: string | null;
  now?: Date;
}): Promise<TEnrollResponse> {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = new EnrollmentQueue(db)));
  return queue.enqueue({ request, ip, now, credential: generateSecret(CREDENTIAL_PREFIX, 32) });
}
