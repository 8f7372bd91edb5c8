// Public surface of @meshover/api for the web app and tools.
export { readControllerEnv, type TControllerEnv } from "./env";
export { checkDatabase, type TDatabaseHealth } from "./services/health/check-database";
export { bootstrapAdmin, type TBootstrapResult } from "./services/auth/bootstrap-admin";
export { ensureSettings, generateUlaPrefix } from "./services/settings/ensure-settings";
export { appRouter, createCaller, type AppRouter } from "./root";
export {
  createContextInner,
  createTRPCContext,
  type TContext,
  type TCreateContextOptions,
} from "./trpc";
export { handleTrpcRequest, TRPC_ENDPOINT, MAX_BODY_BYTES } from "./http/handle-trpc-request";
export { createServerCaller } from "./server-caller";
export { getMeshFanout, MeshFanout, MESH_CHANNEL } from "./lib/mesh-fanout";
export { SESSION_COOKIE } from "./lib/session-cookie";
export { serveApi, writeFetchResponse, type TApiServer } from "./http/serve-api";
export { pruneSamples } from "./services/health/prune-samples";
export { handleMetricsRequest } from "./http/handle-metrics-request";
export { installFastTextEncoderStream } from "./http/install-fast-text-encoder-stream";
export type { TTopologyUpdate, TDirectionUpdate } from "./services/topology/watch-topology";
export type { TNodeLive, TNodeSession } from "./services/node/watch-node";
export type { TTopology, TTopologyEdge, TEdgeDirection } from "./services/topology/read-topology";
