// The API: one router per domain.
import { agentRouter } from "./routers/agent/router";
import { auditRouter } from "./routers/audit/router";
import { driftRouter } from "./routers/drift/router";
import { authRouter } from "./routers/auth/router";
import { eventsRouter } from "./routers/events/router";
import { keyRouter } from "./routers/key/router";
import { routesRouter } from "./routers/routes/router";
import { routingRouter } from "./routers/routing/router";
import { nodeRouter } from "./routers/node/router";
import { settingsRouter } from "./routers/settings/router";
import { historyRouter } from "./routers/history/router";
import { sshRouter } from "./routers/ssh/router";
import { tokenRouter } from "./routers/token/router";
import { topologyRouter } from "./routers/topology/router";
import { underlayRouter } from "./routers/underlay/router";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The whole controller API (dashboard and agents). */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  node: nodeRouter,
  token: tokenRouter,
  topology: topologyRouter,
  key: keyRouter,
  settings: settingsRouter,
  audit: auditRouter,
  agent: agentRouter,
  ssh: sshRouter,
  history: historyRouter,
  events: eventsRouter,
  routes: routesRouter,
  routing: routingRouter,
  underlay: underlayRouter,
  drift: driftRouter,
});

/** The API's type, for typed clients (dashboard, agent). */
export type AppRouter = typeof appRouter;

/** Call procedures in-process with a context from `createContextInner` (tests, RSC, CLI). */
export const createCaller = createCallerFactory(appRouter);
