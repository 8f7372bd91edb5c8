import { z } from "zod";
import { UNDERLAY_MODES } from "@meshover/netcfg";

/** How a pair reaches each other (netcfg TPairReach), with node names for the dashboard. */
export const ZPairReachView = z.object({
  a: z.uuid(),
  b: z.uuid(),
  kind: z.enum(["direct", "via", "unreachable"]),
  /** Underlay family of a direct tunnel. */
  family: z.enum(["ipv4", "ipv6"]).nullable(),
  /** Why there is no direct tunnel. */
  reason: z
    .enum(["both-behind-nat", "no-common-family", "measured-dead", "hub-and-spoke"])
    .nullable(),
  /** Human text of the reason (the agent's words for a measured-dead pair). */
  reasonText: z.string().nullable(),
  /** Relay chains (node ids from a's side), shortest first. */
  relays: z.array(z.array(z.uuid())),
});

/** One node's underlay as the controller sees it. */
export const ZUnderlayNodeView = z.object({
  id: z.uuid(),
  name: z.string(),
  index: z.number().int(),
  endpoints: z.array(z.string()),
  families: z.array(z.enum(["ipv4", "ipv6"])),
  underlayMode: z.enum(UNDERLAY_MODES),
  isBehindNat: z.boolean(),
  canTransit: z.boolean(),
  isHub: z.boolean(),
});

/** `underlay.matrix` output. */
export const ZReachabilityView = z.object({
  nodes: z.array(ZUnderlayNodeView),
  pairs: z.array(ZPairReachView),
  /** Measured failures: when they were seen and when the controller tries again. */
  failures: z.array(
    z.object({
      a: z.uuid(),
      b: z.uuid(),
      reason: z.string(),
      failedAt: z.date(),
      retryAt: z.date(),
    }),
  ),
});

/** `underlay.matrix` output. */
export type TReachabilityView = z.infer<typeof ZReachabilityView>;
/** One pair of the matrix. */
export type TPairReachView = z.infer<typeof ZPairReachView>;
