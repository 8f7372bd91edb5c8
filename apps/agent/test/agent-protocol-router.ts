// A stand-in controller for agent tests: the same `agent` router shape as
// packages/api/src/routers/agent/router.ts, with handlers the test supplies (no database).
import type { AddressInfo } from "node:net";
import { initTRPC, tracked } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import { z } from "zod";
import {
  ZDesiredNodeConfig,
  ZEnrollRequest,
  ZEnrollResponse,
  ZHealthReport,
  type TDesiredNodeConfig,
} from "@meshover/netcfg";

const t = initTRPC.context<{ authorization: string | null }>().create({ transformer: superjson });

/** Handlers a (test) controller implements for the agent protocol. */
export interface TAgentProtocolHandlers {
  enroll(
    input: z.infer<typeof ZEnrollRequest>,
    authorization: string | null,
  ): Promise<z.infer<typeof ZEnrollResponse>>;
  whoami(authorization: string | null): Promise<{ nodeId: string; name: string }>;
  configs(
    authorization: string | null,
    signal: AbortSignal | undefined,
  ): AsyncIterable<TDesiredNodeConfig>;
  report(
    input: z.infer<typeof ZHealthReport>,
    authorization: string | null,
  ): Promise<{ meshVersion: number | null }>;
  /** agent.leave (optional: most tests never call it). */
  leave?(authorization: string | null): Promise<{ id: string; name: string }>;
}

/** Build a router with the controller's agent-protocol shape (tests serve it; the agent types its client by it). */
export function createAgentProtocolRouter(handlers: TAgentProtocolHandlers) {
  const withAuth = t.procedure;
  return t.router({
    agent: t.router({
      enroll: withAuth
        .input(ZEnrollRequest)
        .output(ZEnrollResponse)
        .mutation(({ input, ctx }) => handlers.enroll(input, ctx.authorization)),
      whoami: withAuth
        .input(z.void())
        .output(z.object({ nodeId: z.uuid(), name: z.string() }))
        .query(({ ctx }) => handlers.whoami(ctx.authorization)),
      config: withAuth
        .input(
          z
            .object({ lastEventId: z.string().max(32).nullish() })
            .strict()
            .optional(),
        )
        .subscription(async function* ({ ctx, signal }) {
          for await (const config of handlers.configs(ctx.authorization, signal)) {
            yield tracked(String(config.version), ZDesiredNodeConfig.parse(config));
          }
        }),
      report: withAuth
        .input(ZHealthReport)
        .output(z.object({ meshVersion: z.number().int().nullable() }))
        .mutation(({ input, ctx }) => handlers.report(input, ctx.authorization)),
      leave: withAuth
        .input(z.void())
        .output(z.object({ id: z.uuid(), name: z.string() }))
        .mutation(({ ctx }) =>
          handlers.leave
            ? handlers.leave(ctx.authorization)
            : Promise.reject(new Error("leave not implemented by this test")),
        ),
    }),
  });
}

/** The agent protocol router type. */
export type TAgentRouter = ReturnType<typeof createAgentProtocolRouter>;

/** Serve `createAgentProtocolRouter(handlers)` over HTTP on a free loopback port. */
export async function serveAgentProtocol(
  handlers: TAgentProtocolHandlers,
): Promise<{ url: string; close: () => void }> {
  const server = createHTTPServer({
    router: createAgentProtocolRouter(handlers),
    basePath: "/api/trpc/",
    createContext: ({ req }) => ({ authorization: req.headers.authorization ?? null }),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
