// The API: one router per domain.
import { agentRouter } from "./routers/agent/router";
import { authRouter } from "./routers/auth/router";
import { historyRouter } from "./routers/history/router";
import { sshRouter } from "./routers/ssh/router";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The whole controller API (dashboard and agents). */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  agent: agentRouter,
  ssh: sshRouter,
  history: historyRouter,
});

/** The API's type, for typed clients (dashboard, agent). */
export type AppRouter = typeof appRouter;

/** Call procedures in-process with a context from `createContextInner` (tests, RSC, CLI). */
export const createCaller = createCallerFactory(appRouter);
