import { z } from "zod";
import { readTopology } from "../../services/topology/read-topology";
import { protectedProcedure } from "../../trpc";
import { ZNodeSummary } from "../node/schemas";

/** One tunnel direction's latest health. */
export const ZEdgeDirection = z.object({
  at: z.date(),
  handshakeAt: z.date().nullable(),
  rxBytes: z.number(),
  txBytes: z.number(),
  bgpState: z.string().nullable(),
  bgpUptimeSec: z.number().int().nullable(),
  bfdState: z.string().nullable(),
  prefixesReceived: z.number().int().nullable(),
  mtuConfigured: z.number().int().nullable(),
  mtuMeasured: z.number().int().nullable(),
  rttMs: z.number().nullable(),
});

/** The mesh graph: nodes, and tunnel edges with both directions' latest sample. */
export const ZTopology = z.object({
  nodes: z.array(ZNodeSummary),
  edges: z.array(
    z.object({
      id: z.string(),
      source: z.uuid(),
      target: z.uuid(),
      sourceToTarget: ZEdgeDirection.nullable(),
      targetToSource: ZEdgeDirection.nullable(),
    }),
  ),
  meshVersion: z.number().int(),
});

/** The mesh as a graph, for the dashboard. */
export const getTopologyProcedure = protectedProcedure
  .input(z.void())
  .output(ZTopology)
  .query(({ ctx }) => readTopology({ db: ctx.db }));
