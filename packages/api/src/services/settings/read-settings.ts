import type { TPrismaClient } from "@meshover/prisma";

/** The mesh settings as the dashboard shows them (the metrics token only as "is set"). */
export interface TSettingsView {
  ipv4Pool: string;
  ipv6Pool: string;
  asnMin: number;
  asnMax: number;
  basePort: number;
  underlayMtu: number;
  tunnelMtu: number | null;
  healthIntervalSec: number;
  staleAfterSec: number;
  meshVersion: number;
  hasMetricsToken: boolean;
  updatedAt: Date;
}

/** The settings row. */
export async function readSettings({ db }: { db: TPrismaClient }): Promise<TSettingsView> {
  const row = await db.setting.findUniqueOrThrow({
    where: { id: 1 },
    select: {
      ipv4Pool: true,
      ipv6Pool: true,
      asnMin: true,
      asnMax: true,
      basePort: true,
      underlayMtu: true,
      tunnelMtu: true,
      healthIntervalSec: true,
      staleAfterSec: true,
      meshVersion: true,
      metricsTokenHash: true,
      updatedAt: true,
    },
  });
  const { metricsTokenHash, ...rest } = row;
  return {
    ...rest,
    asnMin: Number(row.asnMin),
    asnMax: Number(row.asnMax),
    meshVersion: Number(row.meshVersion),
    hasMetricsToken: metricsTokenHash !== null,
  };
}
