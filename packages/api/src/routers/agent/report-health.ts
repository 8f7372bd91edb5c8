import { z } from "zod";
import { ZHealthReport } from "@meshover/netcfg";
import { announceReport } from "../../lib/mesh-fanout";
import { ingestReport } from "../../services/agent/ingest-report";
import { agentProcedure } from "../../trpc";

/** Store the node's health report (HTTP bodies are size-limited by the handler). */
export const reportHealthProcedure = agentProcedure
  .input(ZHealthReport)
  .output(z.object({ meshVersion: z.number().int().nullable() }))
  .mutation(async ({ ctx, input }) => {
    const result = await ingestReport({ db: ctx.db, nodeId: ctx.agent.nodeId, report: input });
    // Open dashboards redraw from it (topology.watch, node.watch).
    await announceReport(ctx.db, ctx.agent.nodeId);
    return result;
  });
