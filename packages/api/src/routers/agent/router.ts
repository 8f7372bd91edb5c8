import { createTRPCRouter } from "../../trpc";
import { enrollProcedure } from "./enroll";
import { getSelfProcedure } from "./get-self";
import { leaveProcedure } from "./leave";
import { reportHealthProcedure } from "./report-health";
import { streamConfigProcedure } from "./stream-config";

/** The agent protocol: enroll with a token, then stream config, report health and leave by credential. */
export const agentRouter = createTRPCRouter({
  enroll: enrollProcedure,
  whoami: getSelfProcedure,
  config: streamConfigProcedure,
  report: reportHealthProcedure,
  leave: leaveProcedure,
});
