import { z } from "zod";
import type { TPrismaClient } from "@meshover/prisma";

/** The mesh settings as the dashboard shows them (the metrics token only as "is set"). */
export const ZSettingsView = z.object({
  ipv4Pool: z.string(),
  ipv6Pool: z.string(),
  asnMin: z.number().int(),
  asnMax: z.number().int(),
  basePort: z.number().int(),
  underlayMtu: z.number().int(),
  tunnelMtu: z.number().int().nullable(),
  healthIntervalSec: z.number().int(),
  staleAfterSec: z.number().int(),
  meshVersion: z.number().int(),
  hasMetricsToken: z.boolean(),
  updatedAt: z.date(),
});

/** The mesh settings as the dashboard shows them. */
export type TSettingsView = z.infer<typeof ZSettingsView>;

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
