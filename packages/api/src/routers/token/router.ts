import { createTRPCRouter } from "../../trpc";
import { createTokenProcedure } from "./create-token";
import { listTokensProcedure } from "./list-tokens";
import { revokeTokenProcedure } from "./revoke-token";

/** Enrollment tokens: create (shown once), list, revoke. */
export const tokenRouter = createTRPCRouter({
  create: createTokenProcedure,
  list: listTokensProcedure,
  revoke: revokeTokenProcedure,
});
