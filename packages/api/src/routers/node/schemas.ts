import { z } from "zod";

/** An advertised prefix as shown. */
export const ZPrefixView = z.object({
  cidr: z.string(),
  isAnycast: z.boolean(),
  description: z.string().nullable(),
});

/** A node as lists show it. */
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
  isOnline: z.boolean(),
  agentVersion: z.string().nullable(),
  appliedConfigVersion: z.number().int().nullable(),
  desiredConfigVersion: z.number().int(),
  applyError: z.string().nullable(),
  prefixes: z.array(ZPrefixView),
});

/** A node with host facts and credentials (metadata only). */
export const ZNodeDetail = ZNodeSummary.extend({
  hostInfo: z.unknown(),
  credentials: z.array(
    z.object({
      id: z.uuid(),
      createdAt: z.date(),
      lastUsedAt: z.date().nullable(),
      revokedAt: z.date().nullable(),
    }),
  ),
});

/** Input naming one node. */
export const ZNodeIdInput = z.object({ nodeId: z.uuid() }).strict();
