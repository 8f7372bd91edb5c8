import { compileNodeConfigs, type TDesiredNodeConfig, type TMeshSettings } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { markPlainJson } from "../../lib/transformer";

/** WireGuard persistent keepalive every tunnel gets (keeps NAT mappings open). */
export const KEEPALIVE_SEC = 25;
/** BFD timers: 300 ms × 3 detects a dead tunnel in under a second. */
export const BFD_TIMERS = { intervalMs: 300, multiplier: 3 } as const;

/** Every node's desired config at one mesh version. */
export interface TCompiledMesh {
  version: bigint;
  configs: Map<string, TDesiredNodeConfig>;
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

async function readMesh(tx: Prisma.TransactionClient): Promise<TCompiledMesh> {
  const settings = await tx.setting.findUniqueOrThrow({
    where: { id: 1 },
    select: {
      ipv4Pool: true,
      ipv6Pool: true,
      basePort: true,
      underlayMtu: true,
      tunnelMtu: true,
      healthIntervalSec: true,
      meshVersion: true,
    },
  });
  const nodes = await tx.node.findMany({
    select: {
      id: true,
      name: true,
      index: true,
      asn: true,
      ipv4: true,
      ipv6: true,
      publicKey: true,
      endpoints: true,
      prefixes: { select: { cidr: true }, orderBy: { cidr: "asc" } },
      rotations: {
        where: { status: "pending" },
        select: { id: true },
        orderBy: { requestedAt: "desc" },
        take: 1,
      },
    },
  });
  const configs = compileNodeConfigs({
    version: Number(settings.meshVersion),
    settings: toMeshSettings(settings),
    nodes: nodes.map((node) => ({
      id: node.id,
      name: node.name,
      index: node.index,
      asn: Number(node.asn),
      ipv4: node.ipv4,
      ipv6: node.ipv6,
      publicKey: node.publicKey,
      endpoints: node.endpoints,
      advertisedPrefixes: node.prefixes.map((prefix) => prefix.cidr),
      pendingRotationId: node.rotations[0]?.id ?? null,
    })),
  });
  return {
    version: settings.meshVersion,
    // Plain JSON by construction: the transformer can send them without superjson's walk.
    configs: new Map(configs.map((config) => [config.self.id, markPlainJson(config)])),
  };
}

/**
 * Compile every node's config from one consistent snapshot (repeatable read), so the version
 * stamped on a config is the version of the data in it.
 */
export async function loadNodeConfigs({ db }: { db: TPrismaClient }): Promise<TCompiledMesh> {
  return db.$transaction((tx) => readMesh(tx), { isolationLevel: "RepeatableRead" });
}
