// The API over HTTP: tRPC's fetch adapter plus a request body limit. The same function serves
// the Next.js route (/api/trpc/[trpc]) and the node http servers tests and benchmarks start.
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
  onError?: (error: TRPCError, path: string | undefined) => void;
}

// Read at most `limit` bytes; null when the body is longer. Content-Length can be absent
// (chunked) or lie, so the stream itself is what is counted.
async function readLimitedBody(req: Request, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Answer one tRPC HTTP request (queries, mutations, batches and SSE subscriptions). */
export async function handleTrpcRequest({
  req,
  db,
  publicUrl,
  maxBodyBytes = MAX_BODY_BYTES,
  onError,
}: THandleTrpcRequestOptions): Promise<Response> {
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
  return fetchRequestHandler({
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
      return createTRPCContext({ db, headers: req.headers, resHeaders, publicUrl });
    },
    onError: ({ error, path }) => onError?.(error, path),
  });
}
