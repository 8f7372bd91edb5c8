import { createTRPCRouter } from "../../trpc";
import { getDefaultsProcedure } from "./get-defaults";
import { getJobProcedure } from "./get-job";
import { probeHostKeyProcedure } from "./probe-host-key";
import { startBootstrapProcedure } from "./start-bootstrap";

/** Add a server over SSH: read its host key, preflight, install and join the agent. */
export const sshRouter = createTRPCRouter({
  defaults: getDefaultsProcedure,
  probeHostKey: probeHostKeyProcedure,
  start: startBootstrapProcedure,
  job: getJobProcedure,
});
