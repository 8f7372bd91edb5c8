// A plain node:http host for the API, without Next.js: tests and benchmarks run real HTTP
// (and SSE) against it. The controller itself serves the same handler through Next's route.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import type { TPrismaClient } from "@meshover/prisma";
import { handleTrpcRequest, type TTrpcErrorHook } from "./handle-trpc-request";
import { installFastTextEncoderStream } from "./install-fast-text-encoder-stream";

/** A running API server. */
export interface TApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Write a fetch Response to a node response, streaming the body (SSE stays open). */
export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  res.on("close", () => void reader.cancel().catch(() => undefined));
  let isCorked = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // An SSE event arrives as several small chunks (data, id, blank line): cork so they
      // leave in one writev instead of one syscall each.
      if (!isCorked) {
        isCorked = true;
        res.cork();
        process.nextTick(() => {
          isCorked = false;
          res.uncork();
        });
      }
      // Respect backpressure: a slow agent then holds up only its own stream, whose generator
      // skips straight to the newest config instead of queueing every version in memory.
      if (!res.write(value) && !res.destroyed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
  } catch {
    // The client went away mid-stream.
  }
  res.end();
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
    const request = incomingMessageToRequest(req, res, { maxBodySize: null });
    handleTrpcRequest({ req: request, db, onError })
      .then((response) => writeFetchResponse(response, res))
      .catch((error: unknown) => {
        // Details go to the error hook's log, never into the body.
        onError?.(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error }), {
          requestId: "-",
          path: undefined,
        });
        if (!res.headersSent) res.writeHead(500);
        res.end();
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
