import { z } from "zod";
import { ZHealthReport } from "@meshover/netcfg";
import { ingestReport } from "../../services/agent/ingest-report";
import { agentProcedure } from "../../trpc";

/** Store the node's health report (HTTP bodies are size-limited by the handler). */
export const reportHealthProcedure = agentProcedure
  .input(ZHealthReport)
  .output(z.object({ meshVersion: z.number().int().nullable() }))
  .mutation(({ ctx, input }) =>
    ingestReport({ db: ctx.db, nodeId: ctx.agent.nodeId, report: input }),
  );
