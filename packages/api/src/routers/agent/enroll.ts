import { ZEnrollRequest, ZEnrollResponse } from "@meshover/netcfg";
import { enrollNode } from "../../services/agent/enroll-node";
import { publicProcedure } from "../../trpc";

/** Redeem an enrollment token: the node's identity and its credential (shown once). */
export const enrollProcedure = publicProcedure
  .input(ZEnrollRequest)
  .output(ZEnrollResponse)
  .mutation(({ ctx, input }) => enrollNode({ db: ctx.db, request: input, ip: ctx.ip }));
