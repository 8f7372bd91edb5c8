// The API over HTTP: tRPC's fetch adapter plus a request body limit and a request id. The same
// function serves the Next.js route (/api/trpc/[trpc]), the controller's custom server and the
// node http servers tests and benchmarks start.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_PATH } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { appRouter } from "../root";
import { createTRPCContext } from "../trpc";

/** Largest request body accepted (an agent report with 1024 peers fits in about 400 KiB). */
export const MAX_BODY_BYTES = 512 * 1024;

/** Options for {@link handleTrpcRequest}. */
export interface THandleTrpcRequestOptions {
  req: Request;
  db: TPrismaClient;
  publicUrl?: string;
  maxBodyBytes?: number;
  /** Called for every error answered (the caller logs it); `requestId` is also in the response. */
  onError?: TTrpcErrorHook;
}

/** Where the HTTP handler reports an API error: the error and the id the client was told. */
export type TTrpcErrorHook = (
  error: TRPCError,
  details: { requestId: string; path: string | undefined },
) => void;

/** Response header (and error body field `data.requestId`) naming the request in the log. */
export const REQUEST_ID_HEADER = "x-request-id";

// After the limit, this much more is read and thrown away so the client finishes sending and
// reads the 413; a client that sends even more gets its connection closed.
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

// Read at most `limit` bytes; null when the body is longer. Content-Length can be absent
// (chunked) or lie, so the stream itself is what is counted.
// Cancelling the body would destroy the socket (the client sees a reset, not the 413), so the
// rest is read and dropped in the background while the answer goes out.
async function readLimitedBody(req: Request, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) {
    void discardRest(reader);
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void discardRest(reader);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let discarded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      discarded += value.byteLength;
      if (discarded > DISCARD_LIMIT_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away.
  }
}

/** Answer one tRPC HTTP request (queries, mutations, batches and SSE subscriptions). */
export async function handleTrpcRequest({
  req,
  db,
  publicUrl,
  maxBodyBytes = MAX_BODY_BYTES,
  onError,
}: THandleTrpcRequestOptions): Promise<Response> {
  const requestId = randomUUID();
  let request = req;
  let isTooLarge = false;
  if (req.method === "POST") {
    const body = await readLimitedBody(req, maxBodyBytes);
    isTooLarge = body === null;
    const headers = new Headers(req.headers);
    headers.delete("content-length");
    request = new Request(req.url, {
      method: "POST",
      headers,
      body: body ?? "{}",
      signal: req.signal,
    });
  }
  const response = await fetchRequestHandler({
    endpoint: TRPC_PATH,
    req: request,
    router: appRouter,
    createContext: ({ resHeaders }) => {
      if (isTooLarge) {
        throw new TRPCError({
          code: "PAYLOAD_TOO_LARGE",
          message: `request body larger than ${maxBodyBytes} bytes`,
        });
      }
      resHeaders.set(REQUEST_ID_HEADER, requestId);
      return createTRPCContext({ db, headers: req.headers, resHeaders, publicUrl, requestId });
    },
    onError: ({ error, path }) => onError?.(error, { requestId, path }),
  });
  response.headers.set(REQUEST_ID_HEADER, requestId);
  if (isTooLarge) response.headers.set("connection", "close");
  return response;
}
