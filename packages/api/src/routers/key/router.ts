import { createTRPCRouter } from "../../trpc";
import { listRotationsProcedure } from "./list-rotations";
import { rotateCredentialProcedure } from "./rotate-credential";
import { rotateAllProcedure } from "./rotate-all";
import { rotateKeyProcedure } from "./rotate-key";

/** WireGuard key rotation (one node / all) with progress, and agent credential rotation. */
export const keyRouter = createTRPCRouter({
  rotate: rotateKeyProcedure,
  rotateAll: rotateAllProcedure,
  listRotations: listRotationsProcedure,
  rotateCredential: rotateCredentialProcedure,
});
