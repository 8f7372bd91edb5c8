import { z } from "zod";
import { leaveMesh } from "../../services/agent/leave-mesh";
import { agentProcedure } from "../../trpc";

/** The calling node leaves the mesh: removed like `node.remove`, its credential stops working. */
export const leaveProcedure = agentProcedure
  .input(z.void())
  .output(z.object({ id: z.uuid(), name: z.string() }))
  .mutation(({ ctx }) => leaveMesh({ db: ctx.db, agent: ctx.agent, ip: ctx.ip }));
