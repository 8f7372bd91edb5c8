import {
  PRIVATE_ASN_MAX,
  PRIVATE_ASN_MIN,
  getMaxNodeIndex,
  isAddressInCidr,
  isCidrOverlap,
  validateMeshPools,
} from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { generateSecret, hashSecret } from "../../lib/secrets";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import { readSettings, type TSettingsView } from "./read-settings";

/** The settings an admin may change (all optional: only given ones change). */
export interface TSettingsPatch {
  ipv4Pool?: string;
  ipv6Pool?: string;
  asnMin?: number;
  asnMax?: number;
  basePort?: number;
  underlayMtu?: number;
  tunnelMtu?: number | null;
  healthIntervalSec?: number;
  staleAfterSec?: number;
  /** Make a new /api/metrics bearer token (returned once), or clear it (localhost only). */
  metricsToken?: "generate" | "clear";
}

/**
 * Change mesh settings. Refused with a clear error when an existing allocation would fall
 * outside the new pools or ASN range, a node's listen port would pass 65535, or a node's
 * prefix would overlap a new pool; nothing changes then.
 */
export async function updateSettings({
  db,
  actor,
  patch,
}: {
  db: TPrismaClient;
  actor: TActor;
  patch: TSettingsPatch;
}): Promise<{ settings: TSettingsView; metricsToken: string | null }> {
  const metricsToken = patch.metricsToken === "generate" ? generateSecret("mo_met_", 32) : null;
  await commitMeshChange(db, async (tx) => {
    const current = await tx.setting.findUniqueOrThrow({ where: { id: 1 } });
    const next = {
      ipv4Pool: patch.ipv4Pool ?? current.ipv4Pool,
      ipv6Pool: patch.ipv6Pool ?? current.ipv6Pool,
      asnMin: patch.asnMin ?? Number(current.asnMin),
      asnMax: patch.asnMax ?? Number(current.asnMax),
      basePort: patch.basePort ?? current.basePort,
    };
    const pools = validateMeshPools({ ipv4Pool: next.ipv4Pool, ipv6Pool: next.ipv6Pool });
    if (
      next.asnMin < PRIVATE_ASN_MIN ||
      next.asnMax > PRIVATE_ASN_MAX ||
      next.asnMin > next.asnMax
    ) {
      throw new ServiceError(
        "BAD_REQUEST",
        `the ASN range must lie within ${PRIVATE_ASN_MIN}..${PRIVATE_ASN_MAX} (RFC 6996)`,
      );
    }
    const nodes = await tx.node.findMany({
      select: {
        name: true,
        index: true,
        asn: true,
        ipv4: true,
        ipv6: true,
        prefixes: { select: { cidr: true } },
      },
    });
    const maxIndex = getMaxNodeIndex(next.basePort);
    for (const node of nodes) {
      const orphan = !isAddressInCidr(node.ipv4, pools.ipv4Pool)
        ? `its IPv4 address ${node.ipv4} is outside ${pools.ipv4Pool}`
        : !isAddressInCidr(node.ipv6, pools.ipv6Pool)
          ? `its IPv6 address ${node.ipv6} is outside ${pools.ipv6Pool}`
          : node.asn < BigInt(next.asnMin) || node.asn > BigInt(next.asnMax)
            ? `its ASN ${node.asn} is outside ${next.asnMin}..${next.asnMax}`
            : node.index > maxIndex
              ? `its listen port ${next.basePort + node.index} would pass 65535`
              : null;
      if (orphan) {
        throw new ServiceError(
          "CONFLICT",
          `refused: node "${node.name}" would be orphaned (${orphan}); move or remove it first`,
        );
      }
      for (const prefix of node.prefixes) {
        for (const pool of [pools.ipv4Pool, pools.ipv6Pool]) {
          if (isCidrOverlap(prefix.cidr, pool)) {
            throw new ServiceError(
              "CONFLICT",
              `refused: pool ${pool} overlaps ${prefix.cidr} advertised by node "${node.name}"`,
            );
          }
        }
      }
    }
    const data = {
      ipv4Pool: pools.ipv4Pool,
      ipv6Pool: pools.ipv6Pool,
      asnMin: BigInt(next.asnMin),
      asnMax: BigInt(next.asnMax),
      basePort: next.basePort,
      ...(patch.underlayMtu !== undefined ? { underlayMtu: patch.underlayMtu } : {}),
      ...(patch.tunnelMtu !== undefined ? { tunnelMtu: patch.tunnelMtu } : {}),
      ...(patch.healthIntervalSec !== undefined
        ? { healthIntervalSec: patch.healthIntervalSec }
        : {}),
      ...(patch.staleAfterSec !== undefined ? { staleAfterSec: patch.staleAfterSec } : {}),
      ...(patch.metricsToken === "clear" ? { metricsTokenHash: null } : {}),
      ...(metricsToken ? { metricsTokenHash: hashSecret(metricsToken) } : {}),
    };
    await tx.setting.update({ where: { id: 1 }, data, select: { id: true } });
    const { metricsToken: tokenChange, ...visible } = patch;
    await writeAuditEvent(tx, {
      actor,
      action: "settings.update",
      targetType: "settings",
      targetId: "1",
      change: { ...visible, ...(tokenChange ? { metricsToken: tokenChange } : {}) },
    });
  });
  return { settings: await readSettings({ db }), metricsToken };
}
