import { z } from "zod";
import { probeHostKey } from "../../services/ssh/open-ssh-session";
import { adminProcedure } from "../../trpc";
import { ZSshHost, ZSshPort } from "./schemas";

/** Read a server's SSH host key fingerprint (no login) so the admin can confirm it. */
export const probeHostKeyProcedure = adminProcedure
  .input(z.object({ host: ZSshHost, port: ZSshPort }).strict())
  .output(z.object({ fingerprint: z.string(), keyType: z.string() }))
  .mutation(({ input }) => probeHostKey({ host: input.host, port: input.port }));
