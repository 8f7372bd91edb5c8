// Public surface of @meshover/api for the web app and tools.
export { readControllerEnv, type TControllerEnv } from "./env";
export { checkDatabase, type TDatabaseHealth } from "./services/health/check-database";
export { bootstrapAdmin, type TBootstrapResult } from "./services/auth/bootstrap-admin";
export { ensureSettings, generateUlaPrefix } from "./services/settings/ensure-settings";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root";

export { appRouter, createCaller, type AppRouter } from "./root";

/** Inputs of every procedure, by path: `RouterInputs["node"]["rename"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, by path: `RouterOutputs["topology"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export {
  createContextInner,
  createTRPCContext,
  type TContext,
  type TCreateContextOptions,
} from "./trpc";
export {
  handleTrpcRequest,
  MAX_BODY_BYTES,
  REQUEST_ID_HEADER,
  type TTrpcErrorHook,
} from "./http/handle-trpc-request";
export { logTrpcErrors, type TErrorLog } from "./http/log-trpc-error";
export { createServerCaller } from "./server-caller";
export { getMeshFanout, MeshFanout, MESH_CHANNEL } from "./lib/mesh-fanout";
export { SESSION_COOKIE } from "./lib/session-cookie";
export { serveApi, serveApiRequest, type TApiServer } from "./http/serve-api";
export { writeFetchResponse } from "./http/write-fetch-response";
export { pruneSamples } from "./services/health/prune-samples";
export { pruneLoginAttempts } from "./services/auth/prune-login-attempts";
export { expireRotations, ROTATION_EXPIRY_INTERVAL_MS } from "./services/key/expire-rotations";
export { handleMetricsRequest } from "./http/handle-metrics-request";
export { installFastTextEncoderStream } from "./http/install-fast-text-encoder-stream";
export { readCertificatePins, type TCertificatePins } from "./lib/read-certificate-pins";
export type { TTopologyUpdate, TDirectionUpdate } from "./services/topology/watch-topology";
export type { TNodeLive, TNodeSession } from "./services/node/watch-node";
export type { TTopology } from "./services/topology/read-topology";
export type { THealthSample as TEdgeDirection } from "./lib/health-sample";
