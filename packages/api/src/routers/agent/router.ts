import { createTRPCRouter } from "../../trpc";
import { configProcedure } from "./config";
import { enrollProcedure } from "./enroll";
import { leaveProcedure } from "./leave";
import { reportHealthProcedure } from "./report-health";
import { reportRotationProcedure } from "./report-rotation";
import { whoamiProcedure } from "./whoami";

/** The agent protocol: enroll with a token, then stream config, report health and leave by credential. */
export const agentRouter = createTRPCRouter({
  enroll: enrollProcedure,
  whoami: whoamiProcedure,
  config: configProcedure,
  report: reportHealthProcedure,
  reportRotation: reportRotationProcedure,
  leave: leaveProcedure,
});
