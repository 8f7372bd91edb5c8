// The node views the API returns, one source for the services' types and the routers' output
// validation.
import { z } from "zod";
import { ZHostInfo } from "@meshover/netcfg";

/** An advertised prefix as shown. */
export const ZPrefixView = z.object({
  cidr: z.string(),
  isAnycast: z.boolean(),
  description: z.string().nullable(),
});

/** A node as the dashboard shows it. */
export const ZNodeSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  index: z.number().int(),
  asn: z.number().int(),
  ipv4: z.string(),
  ipv6: z.string(),
  publicKey: z.string().nullable(),
  endpoints: z.array(z.string()),
  createdAt: z.date(),
  lastSeenAt: z.date().nullable(),
  /** Seen within the settings' staleAfterSec; stale nodes stay listed, shown offline. */
  isOnline: z.boolean(),
  agentVersion: z.string().nullable(),
  appliedConfigVersion: z.number().int().nullable(),
  /** The mesh version the node should have applied. */
  desiredConfigVersion: z.number().int(),
  applyError: z.string().nullable(),
  prefixes: z.array(ZPrefixView),
});

/** A node with host facts and credentials (metadata only). */
export const ZNodeDetail = ZNodeSummary.extend({
  /** Null before the first report (or when a stored one no longer fits ZHostInfo). */
  hostInfo: ZHostInfo.nullable(),
  credentials: z.array(
    z.object({
      id: z.uuid(),
      createdAt: z.date(),
      lastUsedAt: z.date().nullable(),
      revokedAt: z.date().nullable(),
    }),
  ),
});

/** A node as the dashboard shows it. */
export type TNodeSummary = z.infer<typeof ZNodeSummary>;
/** A node with host facts and credential metadata. */
export type TNodeDetail = z.infer<typeof ZNodeDetail>;
