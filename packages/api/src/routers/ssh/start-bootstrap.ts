import { z } from "zod";
import { ZNodeName, zText } from "@meshover/netcfg";
import { writeAuditEvent } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { normalizeFingerprint } from "../../lib/normalize-fingerprint";
import { runSshBootstrap } from "../../services/ssh/run-ssh-bootstrap";
import { createSshJob } from "../../services/ssh/ssh-jobs";
import { createToken } from "../../services/token/create-token";
import { adminProcedure } from "../../trpc";
import { ZSshHost, ZSshPort } from "./schemas";

/** `ssh.start` input. The credential is used by the job and dropped; never stored or logged. */
export const ZStartBootstrapInput = z
  .object({
    mode: z.enum(["preflight", "install"]),
    host: ZSshHost,
    port: ZSshPort,
    username: zText().trim().min(1).max(64),
    auth: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("password"), password: z.string().min(1).max(1024) }).strict(),
      z
        .object({
          kind: z.literal("key"),
          privateKey: z.string().min(1).max(16_384),
          passphrase: z.string().max(1024).optional(),
        })
        .strict(),
    ]),
    /** The fingerprint the admin confirmed or pasted; the server must present exactly this. */
    expectedFingerprint: zText().trim().min(1).max(128),
    nodeName: ZNodeName.optional(),
    /** The controller URL the new agent will use (what the server can reach). */
    controllerUrl: z.url({ protocol: /^https?$/ }),
    /** How the agent drives FRR; "auto": the system FRR when its bgpd runs, else its own. */
    frrMode: z.enum(["auto", "system", "managed"]).default("auto"),
  })
  .strict();

/** Start a preflight or a full install over SSH; poll `ssh.job` for progress. */
export const startBootstrapProcedure = adminProcedure
  .input(ZStartBootstrapInput)
  .output(z.object({ jobId: z.uuid() }))
  .mutation(async ({ ctx, input }) => {
    const fingerprint = normalizeFingerprint(input.expectedFingerprint);
    if (!fingerprint) {
      throw new ServiceError(
        "BAD_REQUEST",
        "The expected fingerprint is not a SHA256 fingerprint (SHA256:…).",
      );
    }
    const job = createSshJob({
      ownerId: ctx.session.userId,
      mode: input.mode,
      host: input.host,
      port: input.port,
      fingerprint,
    });
    await writeAuditEvent(ctx.db, {
      actor: ctx.actor,
      action: input.mode === "install" ? "ssh.install" : "ssh.preflight",
      targetType: "host",
      targetId: `${input.host}:${input.port}`,
      change: {
        username: input.username,
        fingerprint,
        nodeName: input.nodeName ?? null,
        controllerUrl: input.controllerUrl,
        frrMode: input.frrMode,
      },
    });
    // Runs in the background; the job records progress and the outcome.
    void runSshBootstrap({
      db: ctx.db,
      job,
      username: input.username,
      auth: input.auth,
      nodeName: input.nodeName,
      controllerUrl: input.controllerUrl,
      frrMode: input.frrMode,
      createToken: async ({ nodeName }) => {
        const created = await createToken({
          db: ctx.db,
          actor: ctx.actor,
          nodeName,
          usesAllowed: 1,
          ttlSec: 15 * 60,
        });
        return { token: created.token };
      },
    });
    return { jobId: job.id };
  });
