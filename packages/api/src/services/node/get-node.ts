import { ZHostInfo } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";
import { SUMMARY_SELECT, readStaleness, toSummary } from "./list-nodes";
import type { TNodeDetail } from "./node-schemas";

/** One node with details; NOT_FOUND when it does not exist. */
export async function getNode({
  db,
  nodeId,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  now?: Date;
}): Promise<TNodeDetail> {
  const [settings, row] = await Promise.all([
    readStaleness(db),
    db.node.findUnique({
      where: { id: nodeId },
      select: {
        ...SUMMARY_SELECT,
        hostInfo: true,
        credentials: {
          select: { id: true, createdAt: true, lastUsedAt: true, revokedAt: true },
          orderBy: { createdAt: "desc" },
        },
      },
    }),
  ]);
  if (!row) throw new ServiceError("NOT_FOUND", "no such node");
  const { hostInfo, credentials, ...summary } = row;
  // Stored from a validated report; a row from an older agent that no longer fits reads as
  // unknown rather than failing the page.
  const parsed = ZHostInfo.safeParse(hostInfo);
  return {
    ...toSummary(summary, settings, now),
    hostInfo: parsed.success ? parsed.data : null,
    credentials,
  };
}
