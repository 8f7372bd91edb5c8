// The routing views the API returns (issue #14): a node's policy, its discovered candidates and
// the mesh's route conflicts. One source for the services' types and the routers' output checks.
import { z } from "zod";
import { ZRouteRefusal, ZRouteSourceKind, ZRouteSources } from "@meshover/netcfg";

/** An allowed range as stored and shown. */
export const ZAllowedRangeView = z.object({
  prefix: z.string(),
  maxLength: z.number().int(),
  anycast: z.boolean(),
  description: z.string().nullable(),
});

/** A node's routing policy with the sources in effect. */
export const ZNodeRoutingView = z.object({
  nodeId: z.uuid(),
  mayOriginate: z.boolean(),
  exitNode: z.boolean(),
  maxPrefixes: z.number().int(),
  allowedRanges: z.array(ZAllowedRangeView),
  /** The node's own sources; null when it follows the mesh default. */
  sources: ZRouteSources.nullable(),
  /** What the node uses: its own sources or the mesh default. */
  effectiveSources: ZRouteSources,
  updatedAt: z.date().nullable(),
});

/** An admin's answer to a conflict. */
export const ZConflictResolutionKind = z.enum(["node", "anycast", "withhold"]);

/** A route conflict with the admin's answer, if any. */
export const ZRouteConflictView = z.object({
  prefix: z.string(),
  reason: z.string(),
  nodes: z.array(z.object({ id: z.string(), name: z.string() })),
  detectedAt: z.date(),
  resolution: z
    .object({
      kind: ZConflictResolutionKind,
      nodeId: z.string().nullable(),
      nodeName: z.string().nullable(),
      resolvedAt: z.date(),
    })
    .nullable(),
});

/** Nested prefixes on different nodes: a warning (longest match), both stay announced. */
export const ZRouteOverlapView = z.object({
  /** The more specific prefix. */
  prefix: z.string(),
  nodes: z.array(z.object({ id: z.string(), name: z.string() })),
  /** The wider prefix it lies in, and the nodes announcing that one. */
  within: z.string(),
  withinNodes: z.array(z.object({ id: z.string(), name: z.string() })),
  reason: z.string(),
});

/** A discovered candidate as the node page shows it. */
export const ZRouteCandidateView = z.object({
  prefix: z.string(),
  source: ZRouteSourceKind,
  interface: z.string().nullable(),
  protocol: z.string().nullable(),
  speaker: z.string().nullable(),
  verdict: z.enum(["announced", "refused"]),
  refusal: ZRouteRefusal.nullable(),
  detail: z.string().nullable(),
  firstSeenAt: z.date(),
  lastChangeAt: z.date(),
  flapCount: z.number().int(),
  /** Still on the host (false: the agent stopped reporting it at lastChangeAt). */
  isPresent: z.boolean(),
  /** The conflict this prefix is part of, if any. */
  conflict: ZRouteConflictView.nullable(),
  /** Overlaps this prefix is on either side of (nested in, or holding, another node's). */
  overlaps: z.array(ZRouteOverlapView),
});

/** A node's routing policy with the sources in effect. */
export type TNodeRoutingView = z.infer<typeof ZNodeRoutingView>;
/** Nested prefixes on different nodes. */
export type TRouteOverlapView = z.infer<typeof ZRouteOverlapView>;
/** A route conflict with the admin's answer. */
export type TRouteConflictView = z.infer<typeof ZRouteConflictView>;
/** A discovered candidate as shown. */
export type TRouteCandidateView = z.infer<typeof ZRouteCandidateView>;
/** An admin's answer to a conflict. */
export type TConflictResolutionKind = z.infer<typeof ZConflictResolutionKind>;
