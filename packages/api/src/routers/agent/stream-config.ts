import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { readNodeConfig } from "../../services/mesh/read-node-config";
import { agentProcedure } from "../../trpc";

/** `agent.config` input: tRPC passes the last event id back when the stream reconnects. */
export const ZStreamConfigInput = z
  .object({ lastEventId: z.string().max(32).nullish() })
  .strict()
  .optional();

/**
 * The node's desired config as a stream (SSE): the full config on connect and again on every
 * mesh change, each tracked by its version. A reconnecting agent always gets the current
 * config first, so nothing is lost while it was away.
 */
export const streamConfigProcedure = agentProcedure
  .input(ZStreamConfigInput)
  .subscription(async function* ({ ctx, signal }) {
    let sent = -1n;
    while (!signal?.aborted) {
      const config = await readNodeConfig({
        db: ctx.db,
        fanout: ctx.fanout,
        nodeId: ctx.agent.nodeId,
      });
      if (!config) throw new TRPCError({ code: "NOT_FOUND", message: "this node was removed" });
      if (BigInt(config.version) > sent) {
        sent = BigInt(config.version);
        yield tracked(String(config.version), config);
      }
      await ctx.fanout.waitForVersionAfter(sent, signal);
    }
  });
