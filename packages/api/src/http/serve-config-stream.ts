// The agents' config stream (`agent.config`) written straight to the socket. Through tRPC's
// fetch adapter every event crosses its SSE producer (async generators, a ping race, a
// TransformStream that splits the event into four strings, the text encoder, a wrapping
// ReadableStream) and then our reader loop: about 0.5 ms of CPU per stream per change, the
// bulk of a push to 2,000 agents. Here the procedure runs through a tRPC caller (the same
// middleware, input validation and generator) and each event leaves as one write, in the wire
// format of tRPC's SSE producer (`sseStreamProducer`, @trpc/server 11): the agent's tRPC client
// reads it unchanged. A request that fails before its first event (unknown credential, removed
// node, bad input) goes back to tRPC's handler, which answers it exactly as before.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  getErrorShape,
  getLastEventId,
  getTRPCErrorFromUnknown,
  isTrackedEnvelope,
  sseHeaders,
} from "@trpc/server/unstable-core-do-not-import";
import { TRPC_PATH } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { appRouter, createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { REQUEST_ID_HEADER, type TTrpcErrorHook } from "./handle-trpc-request";
import { waitForDrain } from "./write-fetch-response";

const PATH = "agent.config";

/** Whether `req` opens an agent's config stream (the only request served here). */
export function isConfigStreamRequest(req: IncomingMessage): boolean {
  if (req.method !== "GET" || !req.url) return false;
  const path = req.url.split("?", 1)[0];
  return path === `${TRPC_PATH}/${PATH}`;
}

/** One SSE event as tRPC's producer frames it: its fields, then a blank line. */
function frame(fields: { event?: string; data: string; id?: string }): string {
  let text = fields.event === undefined ? "" : `event: ${fields.event}\n`;
  text += `data: ${fields.data}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  return `${text}\n\n`;
}

/** Options of {@link serveConfigStream}. */
export interface TServeConfigStreamOptions {
  /** The request as a fetch Request (headers, URL, a signal that aborts when the client goes). */
  request: Request;
  res: ServerResponse;
  db: TPrismaClient;
  publicUrl?: string;
  onError?: TTrpcErrorHook;
}

/**
 * Serve an `agent.config` request. Resolves false, having written nothing, when the stream
 * fails before its first event: the caller then hands the request to tRPC's handler.
 */
export async function serveConfigStream({
  request,
  res,
  db,
  publicUrl,
  onError,
}: TServeConfigStreamOptions): Promise<boolean> {
  const config = appRouter._def._config;
  const serialize = (value: unknown) => JSON.stringify(config.transformer.output.serialize(value));
  const requestId = randomUUID();
  const url = new URL(request.url);
  // Aborts when the client goes (incomingMessageToRequest ties it to the response's close).
  const signal = request.signal;
  const ctx = createTRPCContext({ db, headers: request.headers, publicUrl, requestId });
  // The id the client's EventSource holds and sends back when it reconnects.
  const sentId = getLastEventId({ headers: request.headers, searchParams: url.searchParams });
  let input: unknown;
  let iterator: AsyncIterator<unknown>;
  let first: IteratorResult<unknown>;
  try {
    const raw = url.searchParams.get("input");
    input = raw === null ? undefined : config.transformer.input.deserialize(JSON.parse(raw));
    // tRPC hands a subscription the reconnecting client's last event id in its input.
    if (sentId) {
      input =
        typeof input === "object" && input !== null
          ? { ...input, lastEventId: sentId }
          : (input ?? { lastEventId: sentId });
    }
    const iterable = await createCaller(ctx, { signal }).agent.config(input as never);
    iterator = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    first = await iterator.next();
  } catch {
    return false;
  }
  res.on("close", () => void iterator.return?.().catch(() => undefined));
  // tRPC's answer varies with the request's accept headers; so does this one.
  res.writeHead(200, {
    ...sseHeaders,
    vary: "trpc-accept, accept",
    [REQUEST_ID_HEADER]: requestId,
  });

  const ping = config.sse?.ping;
  const pingMs = ping?.enabled ? (ping.intervalMs ?? 1000) : 0;
  let pingTimer: NodeJS.Timeout | null = null;
  const write = async (text: string) => {
    if (pingTimer) pingTimer.refresh();
    // Backpressure: a slow agent holds up only its own stream, whose generator then skips
    // straight to the newest config instead of queueing every version in memory.
    if (!res.write(text)) await waitForDrain(res);
  };
  if (pingMs > 0) {
    pingTimer = setInterval(() => res.write(frame({ event: "ping", data: "" })), pingMs);
  }
  let lastEventId = sentId && !/[\0\n\r]/.test(sentId) ? sentId : null;
  try {
    await write(frame({ event: "connected", data: JSON.stringify(config.sse?.client ?? {}) }));
    for (let next = first; !next.done; next = await iterator.next()) {
      const value = next.value;
      if (isTrackedEnvelope(value)) {
        lastEventId = value[0];
        await write(frame({ data: serialize(value[1]), id: value[0] }));
      } else if (lastEventId === null) {
        await write(frame({ data: serialize(value) }));
      } else {
        // As tRPC does: an event without an id would inherit the last one, so clear it and set
        // it back with an event clients ignore.
        await write(
          frame({ data: serialize(value), id: "" }) +
            frame({ event: "restore-id", data: "", id: lastEventId }),
        );
      }
    }
    await write(frame({ event: "return", data: "" }));
  } catch (cause) {
    if (!signal.aborted) {
      const error = getTRPCErrorFromUnknown(cause);
      onError?.(error, { requestId, path: PATH });
      const shape = getErrorShape({ config, ctx, error, input, path: PATH, type: "subscription" });
      await write(frame({ event: "serialized-error", data: serialize(shape) }));
    }
  } finally {
    if (pingTimer) clearInterval(pingTimer);
  }
  res.end();
  return true;
}
