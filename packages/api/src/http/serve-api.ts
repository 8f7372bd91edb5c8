// A plain node:http host for the API, without Next.js: tests and benchmarks run real HTTP
// (and SSE) against it. The controller (apps/web/src/server/main.ts) answers API requests with
// the same serveApiRequest from its own server, also without Next.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import type { TPrismaClient } from "@meshover/prisma";
import { handleTrpcRequest, type TTrpcErrorHook } from "./handle-trpc-request";
import { writeFetchResponse } from "./write-fetch-response";
import { installFastTextEncoderStream } from "./install-fast-text-encoder-stream";
import { isConfigStreamRequest, serveConfigStream } from "./serve-config-stream";

/** A running API server. */
export interface TApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Options of {@link serveApiRequest}. */
export interface TServeApiRequestOptions {
  db: TPrismaClient;
  publicUrl?: string;
  /** Where API errors are reported, as tRPC's handler reports them. */
  onError?: TTrpcErrorHook;
  /** A request that failed outside tRPC (it was answered 500 when nothing was sent yet). */
  onFailure: (error: unknown) => void;
}

/**
 * Answer one API request on a node server: an agent's config stream written directly
 * (serve-config-stream.ts), everything else through tRPC's fetch adapter.
 */
export function serveApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { db, publicUrl, onError, onFailure }: TServeApiRequestOptions,
): void {
  const request = incomingMessageToRequest(req, res, { maxBodySize: null });
  const viaTrpc = () =>
    handleTrpcRequest({ req: request, db, publicUrl, onError }).then((response) =>
      writeFetchResponse(response, res),
    );
  const served = isConfigStreamRequest(req)
    ? serveConfigStream({ request, res, db, publicUrl, onError }).then((isServed) =>
        isServed ? undefined : viaTrpc(),
      )
    : viaTrpc();
  served.catch((error: unknown) => {
    onFailure(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}

/** Serve the API on `host`:`port` (default 127.0.0.1, a free port). */
export async function serveApi({
  db,
  host = "127.0.0.1",
  port = 0,
  onError,
}: {
  db: TPrismaClient;
  host?: string;
  port?: number;
  /** Where API errors are reported (the controller logs them; tests collect them). */
  onError?: TTrpcErrorHook;
}): Promise<TApiServer> {
  installFastTextEncoderStream();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Like a proxy would: the handler reads the client address from X-Forwarded-For.
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    serveApiRequest(req, res, {
      db,
      onError,
      // Details go to the error hook's log, never into the body.
      onFailure: (error) =>
        onError?.(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error }), {
          requestId: "-",
          path: undefined,
        }),
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
