import { z } from "zod";
import { ZRotationReport } from "@meshover/netcfg";
import { recordRotationReport } from "../../services/agent/record-rotation-report";
import { agentProcedure } from "../../trpc";

/** Store a key rotation's progress (next key, rotation tunnel handshakes) apart from health. */
export const reportRotationProcedure = agentProcedure
  .input(ZRotationReport)
  .output(z.object({ meshVersion: z.number().int().nullable() }))
  .mutation(({ ctx, input }) =>
    recordRotationReport({ db: ctx.db, nodeId: ctx.agent.nodeId, report: input }),
  );
