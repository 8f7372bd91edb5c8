import { z } from "zod";
import { ZNodeName, zText } from "@meshover/netcfg";
import { startBootstrap } from "../../services/ssh/start-bootstrap";
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
  .mutation(({ ctx, input }) =>
    startBootstrap({ db: ctx.db, actor: ctx.actor, ownerId: ctx.session.userId, request: input }),
  );
