import { z } from "zod";
import { agentProcedure } from "../../trpc";

/** Who the credential belongs to (the agent checks its credential at start with this). */
export const whoamiProcedure = agentProcedure
  .input(z.void())
  .output(z.object({ nodeId: z.uuid(), name: z.string() }))
  .query(({ ctx }) => ({ nodeId: ctx.agent.nodeId, name: ctx.agent.nodeName }));
