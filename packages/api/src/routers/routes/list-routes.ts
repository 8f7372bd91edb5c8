import { z } from "zod";
import { listRoutes } from "../../services/routes/list-routes";
import { protectedProcedure } from "../../trpc";

/** The fleet route table: every prefix, its origins, how far it got, the policy, warnings. */
export const listRoutesProcedure = protectedProcedure
  .input(z.void())
  .output(
    z.array(
      z.object({
        cidr: z.string(),
        family: z.enum(["ipv4", "ipv6"]),
        source: z.enum(["node address", "attached", "discovered", "observed"]),
        origins: z.array(z.object({ nodeId: z.string(), name: z.string() })),
        isAnycast: z.boolean(),
        state: z.enum(["attached", "discovered", "refused", "announced", "received", "installed"]),
        receivedBy: z.number().int(),
        installedOn: z.number().int(),
        isObserved: z.boolean(),
        peerCount: z.number().int(),
        firstSeen: z.date(),
        lastChange: z.date().nullable(),
        flaps: z.number().int(),
        policy: z.array(
          z.object({
            nodeId: z.string(),
            name: z.string(),
            verdict: z.enum(["announced", "refused", "unknown"]),
            rule: z.string(),
          }),
        ),
        warnings: z.array(z.string()),
      }),
    ),
  )
  .query(({ ctx }) => listRoutes({ db: ctx.db }));
