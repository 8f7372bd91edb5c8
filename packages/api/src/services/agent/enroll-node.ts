import { allocateNodeIdentity, type TEnrollRequest, type TEnrollResponse } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent } from "../../lib/audit";
import { retryOnConflict } from "../../lib/retry-on-conflict";
import { generateSecret, hashSecret } from "../../lib/secrets";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { commitPreparedMeshChange } from "../mesh/commit-mesh-change";

/** Node credentials start with this, so a leaked one is recognisable. */
export const CREDENTIAL_PREFIX = "mo_node_";

async function pickName(
  tx: Prisma.TransactionClient,
  preset: string | null,
  requested: string | undefined,
): Promise<string> {
  if (preset) {
    if (await tx.node.findUnique({ where: { name: preset }, select: { id: true } })) {
      throw new ServiceError("CONFLICT", `a node named "${preset}" already exists`);
    }
    return preset;
  }
  if (!requested) {
    throw new ServiceError("BAD_REQUEST", "the token names no node: send a node name");
  }
  // A host name is only a suggestion: two hosts called "server" become server and server-2.
  const taken = new Set(
    (
      await tx.node.findMany({
        where: { name: { startsWith: requested } },
        select: { name: true },
      })
    ).map((node) => node.name),
  );
  if (!taken.has(requested)) return requested;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = requested.slice(0, 63 - suffix.length).replace(/-+$/, "") + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The token (checked: known, not revoked, not expired) and the allocation settings. */
async function readEnrollmentInputs(tx: Prisma.TransactionClient, tokenHash: string, now: Date) {
  const token = await tx.enrollmentToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      hint: true,
      nodeName: true,
      usesAllowed: true,
      usesCount: true,
      expiresAt: true,
      revokedAt: true,
    },
  });
  if (!token) throw new ServiceError("UNAUTHORIZED", "unknown enrollment token");
  if (token.revokedAt) throw new ServiceError("UNAUTHORIZED", "the enrollment token was revoked");
  if (token.expiresAt <= now)
    throw new ServiceError("UNAUTHORIZED", "the enrollment token expired");
  const settings = await tx.setting.findUniqueOrThrow({
    where: { id: 1 },
    select: { ipv4Pool: true, ipv6Pool: true, basePort: true, asnMin: true, asnMax: true },
  });
  return { token, settings };
}

/**
 * Redeem an enrollment token: check and count it, allocate the node's identity (lowest free
 * index, ASN, IPv4, IPv6; the database's unique indexes settle races, losers retry), store the
 * node and a fresh credential (hash only), and bump the mesh version so peers learn of it.
 */
export async function enrollNode({
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
  const tokenHash = hashSecret(request.token);
  const credential = generateSecret(CREDENTIAL_PREFIX, 32);
  try {
    return await retryOnConflict(() =>
      commitPreparedMeshChange(
        db,
        // Before the mesh lock (joins wait on it one after another): check the token and read
        // the pools; the claim below is conditional, so a token used up meanwhile still fails.
        (tx) => readEnrollmentInputs(tx, tokenHash, now),
        async (tx, { token, settings }) => {
          // Conditional increment: two agents racing for the last use cannot both win.
          const claimed = await tx.enrollmentToken.updateMany({
            where: { id: token.id, revokedAt: null, usesCount: { lt: token.usesAllowed } },
            data: { usesCount: { increment: 1 } },
          });
          if (claimed.count !== 1) {
            throw new ServiceError("UNAUTHORIZED", "the enrollment token has been used up");
          }
          const name = await pickName(tx, token.nodeName, request.name);
          const nodes = await tx.node.findMany({
            select: { index: true, asn: true, ipv4: true, ipv6: true },
          });
          const identity = allocateNodeIdentity({
            ipv4Pool: settings.ipv4Pool,
            ipv6Pool: settings.ipv6Pool,
            basePort: settings.basePort,
            asnMin: Number(settings.asnMin),
            asnMax: Number(settings.asnMax),
            nodes: nodes.map((node) => ({ ...node, asn: Number(node.asn) })),
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
          return { nodeId: node.id, name: node.name, credential };
        },
      ),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceError(
        "CONFLICT",
        "enrollment conflicts with an existing node (same WireGuard public key or name)",
      );
    }
    throw error;
  }
}
