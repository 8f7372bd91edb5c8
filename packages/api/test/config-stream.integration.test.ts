// The config stream written straight to the socket (serve-config-stream.ts) against tRPC's own
// SSE path on the same database: the same bytes for every event an agent can receive (connect,
// the full config, a delta, the error that ends a revoked credential's stream), the same
// headers, and a refused stream left to tRPC. If a tRPC upgrade changes its wire format, this
// fails before any agent does.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TRPC_PATH } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { handleTrpcRequest, REQUEST_ID_HEADER } from "../src/http/handle-trpc-request";
import { isConfigStreamRequest, serveConfigStream } from "../src/http/serve-config-stream";
import { writeFetchResponse } from "../src/http/write-fetch-response";
import { rotateCredential } from "../src/services/key/rotate-credential";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, waitUntil } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;
const servers: Server[] = [];
let direct: string;
let viaTrpc: string;
/** What serveConfigStream answered for each request of the direct server (true: served). */
const outcomes: boolean[] = [];
const actor = { id: null, email: "test" };

async function listen(server: Server) {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  const db = testDb.db;
  const answerWithTrpc = (request: Request, res: Parameters<typeof writeFetchResponse>[1]) =>
    handleTrpcRequest({ req: request, db }).then((response) => writeFetchResponse(response, res));
  direct = await listen(
    createServer((req, res) => {
      const request = incomingMessageToRequest(req, res, { maxBodySize: null });
      if (!isConfigStreamRequest(req)) return void answerWithTrpc(request, res);
      void serveConfigStream({ request, res, db }).then((isServed) => {
        outcomes.push(isServed);
        if (!isServed) return answerWithTrpc(request, res);
      });
    }),
  );
  viaTrpc = await listen(
    createServer((req, res) => {
      void answerWithTrpc(incomingMessageToRequest(req, res, { maxBodySize: null }), res);
    }),
  );
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await testDb?.drop();
});

/** An open config stream: its status, headers, and the events read so far (raw text). */
function openStream(baseUrl: string, credential: string) {
  const input = encodeURIComponent(JSON.stringify({ json: undefined }));
  const events: string[] = [];
  let buffer = "";
  let onEvent: (() => void) | null = null;
  const aborter = new AbortController();
  const response = new Promise<{ status: number; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = httpRequest(
        `${baseUrl}${TRPC_PATH}/agent.config?input=${input}`,
        {
          headers: { authorization: `Bearer ${credential}`, accept: "text/event-stream" },
          signal: aborter.signal,
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0, headers: { ...res.headers } });
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            // tRPC ends every event with its fields' newlines and then two more.
            let end: number;
            while ((end = buffer.indexOf("\n\n\n")) >= 0) {
              events.push(buffer.slice(0, end + 3));
              buffer = buffer.slice(end + 3);
            }
            onEvent?.();
          });
          res.on("error", () => undefined);
        },
      );
      req.on("error", (error) => (aborter.signal.aborted ? undefined : reject(error)));
      req.end();
    },
  );
  return {
    response,
    events,
    /** Wait until `count` events arrived (5 s at most). */
    async waitFor(count: number) {
      const deadline = Date.now() + 5000;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${events.length} of ${count} events`);
        await new Promise<void>((resolve) => {
          onEvent = resolve;
          setTimeout(resolve, 50);
        });
      }
      return events.slice(0, count);
    },
    close: () => aborter.abort(),
  };
}

async function enroll(name: string) {
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600 });
  return callAs(testDb.db).agent.enroll(makeEnrollRequest(token, name));
}

/** Request ids differ by design (one per request); everything else must not. */
const withoutRequestIds = (text: string) =>
  text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<request id>");

describe("the config stream written directly", () => {
  it("sends the bytes and headers tRPC's SSE producer sends: connect, full config, delta", async () => {
    const node = await enroll("alpha");
    outcomes.length = 0;
    const streams = [openStream(direct, node.credential), openStream(viaTrpc, node.credential)];
    try {
      const [first, second] = await Promise.all(streams.map((stream) => stream.waitFor(2)));
      expect(first![0]).toMatch(/^event: connected\ndata: \{.*\}\n\n\n$/);
      expect(first![1]).toMatch(/^data: \{"json":.*\}\nid: \d+\n\n\n$/);
      expect(first).toEqual(second);
      // A mesh change: both streams get the same delta.
      await enroll("beta");
      const [changed, changedToo] = await Promise.all(streams.map((stream) => stream.waitFor(3)));
      expect(changed![2]).toMatch(/"upsertPeers"/);
      expect(changed).toEqual(changedToo);
      const [headers, trpcHeaders] = await Promise.all(
        streams.map(async (stream) => {
          const { status, headers } = await stream.response;
          const { date: _date, [REQUEST_ID_HEADER]: id, ...rest } = headers;
          expect(id).toMatch(/^[0-9a-f-]{36}$/);
          return { status, ...rest };
        }),
      );
      expect(headers).toEqual(trpcHeaders);
      expect(headers!.status).toBe(200);
    } finally {
      for (const stream of streams) stream.close();
    }
    // serveConfigStream resolves when its stream ends: it served this one itself.
    await waitUntil("the direct stream to end", () => outcomes.length > 0);
    expect(outcomes).toEqual([true]);
  });

  it("pings an idle stream as tRPC does (every 15 s without an event)", async () => {
    const node = await enroll("delta");
    vi.useFakeTimers({ toFake: ["setInterval"] });
    const stream = openStream(direct, node.credential);
    try {
      await stream.waitFor(2);
      vi.advanceTimersByTime(14_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stream.events).toHaveLength(2);
      vi.advanceTimersByTime(1_000);
      // tRPC's producer frames a ping as event and empty data lines, then its blank lines.
      expect((await stream.waitFor(3))[2]).toBe("event: ping\ndata: \n\n\n");
    } finally {
      stream.close();
      vi.useRealTimers();
    }
  });

  it("ends a stream whose credential was revoked with tRPC's serialized-error event", async () => {
    const node = await enroll("gamma");
    const streams = [openStream(direct, node.credential), openStream(viaTrpc, node.credential)];
    try {
      await Promise.all(streams.map((stream) => stream.waitFor(2)));
      await rotateCredential({ db: testDb.db, actor, nodeId: node.nodeId });
      const ends = await Promise.all(streams.map((stream) => stream.waitFor(3)));
      const [ending, trpcEnding] = ends.map((events) => withoutRequestIds(events.at(-1)!));
      expect(ending).toMatch(/^event: serialized-error\ndata: .*UNAUTHORIZED/);
      expect(ending).toEqual(trpcEnding);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it("leaves a stream refused before its first event to tRPC, which answers as always", async () => {
    outcomes.length = 0;
    const streams = [openStream(direct, "mo_node_unknown"), openStream(viaTrpc, "mo_node_unknown")];
    try {
      const answers = await Promise.all(streams.map((stream) => stream.waitFor(2)));
      const [refused, trpcRefused] = answers.map((events) => events.map(withoutRequestIds));
      expect(refused![1]).toMatch(/^event: serialized-error\ndata: .*UNAUTHORIZED/);
      expect(refused).toEqual(trpcRefused);
      expect(outcomes).toEqual([false]);
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});
