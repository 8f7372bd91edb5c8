// Starting an SSH bootstrap: check the fingerprint, open a job, audit the request, then run the
// job in the background with a single-use enrollment token made for it.
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { normalizeFingerprint } from "../../lib/normalize-fingerprint";
import { ServiceError } from "../../lib/service-error";
import { createToken } from "../token/create-token";
import { runSshBootstrap, type TRunSshBootstrapOptions } from "./run-ssh-bootstrap";
import { createSshJob } from "./ssh-jobs";

/** What the admin asked for (`ssh.start`); the credential in `auth` is never stored or logged. */
export type TStartBootstrapRequest = Pick<
  TRunSshBootstrapOptions,
  "username" | "auth" | "nodeName" | "controllerUrl"
> & {
  mode: "preflight" | "install";
  host: string;
  port: number;
  /** The fingerprint the admin confirmed or pasted; the server must present exactly this. */
  expectedFingerprint: string;
  frrMode: NonNullable<TRunSshBootstrapOptions["frrMode"]>;
};

/** Start a preflight or an install over SSH; returns the job to poll. */
export async function startBootstrap({
  db,
  actor,
  ownerId,
  request,
}: {
  db: TPrismaClient;
  actor: TActor;
  ownerId: string;
  request: TStartBootstrapRequest;
}): Promise<{ jobId: string }> {
  const fingerprint = normalizeFingerprint(request.expectedFingerprint);
  if (!fingerprint) {
    throw new ServiceError(
      "BAD_REQUEST",
      "The expected fingerprint is not a SHA256 fingerprint (SHA256:…).",
    );
  }
  const job = createSshJob({
    ownerId,
    mode: request.mode,
    host: request.host,
    port: request.port,
    fingerprint,
  });
  await writeAuditEvent(db, {
    actor,
    action: request.mode === "install" ? "ssh.install" : "ssh.preflight",
    targetType: "host",
    targetId: `${request.host}:${request.port}`,
    change: {
      username: request.username,
      fingerprint,
      nodeName: request.nodeName ?? null,
      controllerUrl: request.controllerUrl,
      frrMode: request.frrMode,
    },
  });
  // Runs in the background; the job records progress and the outcome.
  void runSshBootstrap({
    db,
    job,
    username: request.username,
    auth: request.auth,
    nodeName: request.nodeName,
    controllerUrl: request.controllerUrl,
    frrMode: request.frrMode,
    createToken: async ({ nodeName }) => {
      const created = await createToken({ db, actor, nodeName, usesAllowed: 1, ttlSec: 15 * 60 });
      return { token: created.token };
    },
  });
  return { jobId: job.id };
}
