import { createTRPCRouter } from "../../trpc";
import { listRotationsProcedure } from "./list-rotations";
import { rotateCredentialProcedure } from "./rotate-credential";
import { rotateAllKeysProcedure, rotateKeyProcedure } from "./rotate-key";

/** WireGuard key rotation (one node / all) with progress, and agent credential rotation. */
export const keyRouter = createTRPCRouter({
  rotate: rotateKeyProcedure,
  rotateAll: rotateAllKeysProcedure,
  rotations: listRotationsProcedure,
  rotateCredential: rotateCredentialProcedure,
});
