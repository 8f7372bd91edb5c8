import { createTRPCRouter } from "../../trpc";
import { getMeProcedure } from "./get-me";
import { getStatusProcedure } from "./get-status";
import { logInProcedure } from "./log-in";
import { logOutProcedure } from "./log-out";
import { setUpProcedure } from "./set-up";

/** Sign-in, sign-out, first-run setup and "who am I". */
export const authRouter = createTRPCRouter({
  status: getStatusProcedure,
  setup: setUpProcedure,
  login: logInProcedure,
  logout: logOutProcedure,
  me: getMeProcedure,
});
