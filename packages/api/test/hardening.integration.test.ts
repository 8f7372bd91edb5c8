// Issue 13's findings, each against a real HTTP server on a real database: login limits that
// hold under batching and concurrency, bad input answering 4xx (never 500), 500 bodies without
// database text, every error logged with the request id the client sees, 413 for chunked
// bodies, and a rotated node credential ending its open config stream.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { MAX_BODY_BYTES } from "../src/http/handle-trpc-request";
import { serveApi, type TApiServer } from "../src/http/serve-api";
import { hashPassword } from "../src/lib/secrets";
import { SESSION_COOKIE } from "../src/lib/session-cookie";
import { MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP } from "../src/services/auth/log-in";
import { rotateCredential } from "../src/services/key/rotate-credential";
import { createToken } from "../src/services/token/create-token";
import { TEST_PASSWORD, callAs, createApiTestDatabase, readSessionCookie } from "./helpers";
import { makeEnrollRequest, makeHealthReport } from "./http-client";

let testDb: TTestDatabase;
let api: TApiServer;
const loggedErrors: { requestId: string; code: string; path: string | undefined }[] = [];
let adminCookie: string;
let agentAuth: string;
let nodeId: string;
let peerId: string;
let enrollToken: string;

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  api = await serveApi({
    db: testDb.db,
    onError: (error, { requestId, path }) => {
      loggedErrors.push({ requestId, code: error.code, path });
    },
  });
  await testDb.db.user.create({
    data: {
      email: "admin@example.com",
      role: "admin",
      passwordHash: await hashPassword(TEST_PASSWORD),
    },
  });
  const anonymous = callAs(testDb.db);
  await anonymous.auth.login({ email: "admin@example.com", password: TEST_PASSWORD });
  adminCookie = `${SESSION_COOKIE}=${readSessionCookie(anonymous.resHeaders)}`;
  const { token } = await createToken({
    db: testDb.db,
    actor: { id: null, email: "test" },
    ttlSec: 600,
    usesAllowed: 2,
  });
  const a = await anonymous.agent.enroll(makeEnrollRequest(token, "alpha"));
  const b = await anonymous.agent.enroll(makeEnrollRequest(token, "beta"));
  agentAuth = `Bearer ${a.credential}`;
  enrollToken = (
    await createToken({
      db: testDb.db,
      actor: { id: null, email: "test" },
      ttlSec: 600,
      usesAllowed: 10,
    })
  ).token;
  nodeId = a.nodeId;
  peerId = b.nodeId;
});
afterAll(async () => {
  await api?.close();
  await testDb?.drop();
});

/** One raw tRPC HTTP call (superjson wire format) with the status and parsed body. */
async function callRaw(
  path: string,
  input: unknown,
  {
    headers = {},
    method = "POST",
  }: { headers?: Record<string, string>; method?: "GET" | "POST" } = {},
) {
  const body = JSON.stringify({ json: input });
  const url =
    method === "GET"
      ? `${api.url}/api/trpc/${path}?input=${encodeURIComponent(body)}`
      : `${api.url}/api/trpc/${path}`;
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(method === "POST" ? { body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text) as TTrpcBody,
  };
}

interface TTrpcBody {
  error?: { json: { message: string; code: number; data: { code: string; requestId?: string } } };
}

function makeReport(overrides: Record<string, unknown> = {}, peer: Record<string, unknown> = {}) {
  const report = makeHealthReport([peerId]);
  return { ...report, ...overrides, peers: [{ ...report.peers[0], ...peer }] };
}

describe("login limit", () => {
  it("verifies at most 5 passwords of one e-mail in a batch of 200 auth.login calls", async () => {
    await testDb.db.user.create({
      data: { email: "batch@example.com", passwordHash: await hashPassword(TEST_PASSWORD) },
    });
    const calls = 200;
    const body = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [
        String(i),
        { json: { email: "batch@example.com", password: `wrong ${i}` } },
      ]),
    );
    const paths = Array.from({ length: calls }, () => "auth.login").join(",");
    const response = await fetch(`${api.url}/api/trpc/${paths}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const results = (await response.json()) as TTrpcBody[];
    const codes = results.map((result) => result.error?.json.data.code);
    expect(codes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(MAX_FAILURES_PER_EMAIL);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(
      calls - MAX_FAILURES_PER_EMAIL,
    );
  });

  it("verifies at most 5 passwords per e-mail and 20 per address under 30 parallel requests", async () => {
    const perEmail = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        callAs(testDb.db, { "x-forwarded-for": `192.0.2.${i + 1}` }).auth.login({
          email: "parallel@example.com",
          password: `wrong ${i}`,
        }),
      ),
    );
    const emailCodes = perEmail.map((r) => (r.status === "rejected" ? readCode(r.reason) : "OK"));
    expect(emailCodes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(
      MAX_FAILURES_PER_EMAIL,
    );
    const perAddress = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        callAs(testDb.db, { "x-forwarded-for": "198.51.100.7" }).auth.login({
          email: `user${i}@example.com`,
          password: "wrong",
        }),
      ),
    );
    const ipCodes = perAddress.map((r) => (r.status === "rejected" ? readCode(r.reason) : "OK"));
    expect(ipCodes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(MAX_FAILURES_PER_IP);
    expect(ipCodes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(
      30 - MAX_FAILURES_PER_IP,
    );
  });

  it("does not count a successful login against the limit", async () => {
    await testDb.db.user.create({
      data: { email: "ok@example.com", passwordHash: await hashPassword(TEST_PASSWORD) },
    });
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL + 2; i++) {
      await callAs(testDb.db).auth.login({ email: "ok@example.com", password: TEST_PASSWORD });
    }
    await expect(
      callAs(testDb.db).auth.login({ email: "ok@example.com", password: TEST_PASSWORD }),
    ).resolves.toMatchObject({ email: "ok@example.com" });
  });
});

function readCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error
    ? String(error.code)
    : String(error);
}

describe("bad input answers 4xx, never 500", () => {
  const admin = () => ({ cookie: adminCookie });
  const agent = () => ({ authorization: agentAuth });
  const none = () => ({});
  const enroll = (patch: (request: ReturnType<typeof makeEnrollRequest>) => void) => {
    const request = makeEnrollRequest(enrollToken, "gamma");
    patch(request);
    return request;
  };
  const cases: {
    name: string;
    path: string;
    auth: () => Record<string, string>;
    input: () => unknown;
    method?: "GET";
  }[] = [
    {
      name: "NUL in the login e-mail",
      path: "auth.login",
      auth: none,
      input: () => ({ email: "ad\u0000min@example.com", password: "x" }),
    },
    {
      name: "NUL in an enrollment's host name",
      path: "agent.enroll",
      auth: none,
      input: () => enroll((r) => (r.hostInfo.hostname = "h\u0000")),
    },
    {
      name: "NUL in an enrollment's agent version",
      path: "agent.enroll",
      auth: none,
      input: () => enroll((r) => (r.agentVersion = "1\u0000")),
    },
    {
      name: "NUL in a report's agent version",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({ agentVersion: "0.1\u0000" }),
    },
    {
      name: "NUL in a report's apply error",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({ applyError: "failed\u0000" }),
    },
    {
      name: "NUL in a report's BGP state",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({}, { bgpState: "Est\u0000" }),
    },
    {
      name: "a lone surrogate in a report's interface",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({}, { interface: "mo\uD800" }),
    },
    {
      name: "BGP uptime above 2^31",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({}, { bgpUptimeSec: 2 ** 31 }),
    },
    {
      name: "received prefix count above 2^31",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({}, { prefixesReceived: 2 ** 32 }),
    },
    {
      name: "a handshake in year 0000",
      path: "agent.report",
      auth: agent,
      input: () => makeReport({}, { handshakeAt: "0000-01-01T00:00:00Z" }),
    },
    {
      name: "NUL in a prefix description",
      path: "node.setPrefixes",
      auth: admin,
      input: () => ({ nodeId, prefixes: [{ cidr: "10.99.0.0/24", description: "lan\u0000" }] }),
    },
    {
      name: "a lone surrogate in a prefix description",
      path: "node.setPrefixes",
      auth: admin,
      input: () => ({ nodeId, prefixes: [{ cidr: "10.99.0.0/24", description: "lan\uDC00" }] }),
    },
    {
      name: "an audit cursor above int8",
      path: "audit.list",
      auth: admin,
      method: "GET",
      input: () => ({ cursor: "9223372036854775808" }),
    },
    {
      name: "NUL in an SSH user name",
      path: "ssh.start",
      auth: admin,
      input: () => ({
        mode: "preflight",
        host: "127.0.0.1",
        port: 1,
        username: "ro\u0000ot",
        auth: { kind: "password", password: "x" },
        expectedFingerprint: `SHA256:${"A".repeat(43)}`,
        controllerUrl: "http://127.0.0.1:3000",
      }),
    },
  ];

  it.each(cases)("$name", async ({ path, auth, input, method }) => {
    const counts = () =>
      Promise.all([
        testDb.db.healthSample.count(),
        testDb.db.node.count(),
        testDb.db.auditEvent.count(),
      ]);
    const before = await counts();
    const result = await callRaw(path, input(), { headers: auth(), method });
    expect(result.status, result.text).toBeGreaterThanOrEqual(400);
    expect(result.status, result.text).toBeLessThan(500);
    expect(await counts()).toEqual(before);
  });

  it("treats a malformed session cookie as no session", async () => {
    const cookie = { cookie: `${SESSION_COOKIE}=%E0%A4%A` };
    const me = await callRaw("auth.me", undefined, { headers: cookie, method: "GET" });
    expect(me.status, me.text).toBe(200);
    const nodes = await callRaw("node.list", undefined, { headers: cookie, method: "GET" });
    expect(nodes.status, nodes.text).toBe(401);
  });
});

describe("errors", () => {
  it("answers a database failure with a message, a code and the request id, never database text", async () => {
    loggedErrors.length = 0;
    await testDb.db.$executeRawUnsafe(`ALTER TABLE "AuditEvent" RENAME TO "AuditEventAway"`);
    try {
      const result = await callRaw(
        "audit.list",
        {},
        { headers: { cookie: adminCookie }, method: "GET" },
      );
      expect(result.status).toBe(500);
      expect(result.text).not.toMatch(/AuditEvent|relation|prisma|does not exist|select/i);
      const error = result.json.error!.json;
      expect(error.message).toMatch(/internal server error/);
      expect(error.data.code).toBe("INTERNAL_SERVER_ERROR");
      const requestId = result.headers.get("x-request-id");
      expect(requestId).toMatch(/^[0-9a-f-]{16,}$/);
      expect(error.data.requestId).toBe(requestId);
      expect(loggedErrors).toContainEqual({
        requestId,
        code: "INTERNAL_SERVER_ERROR",
        path: "audit.list",
      });
    } finally {
      await testDb.db.$executeRawUnsafe(`ALTER TABLE "AuditEventAway" RENAME TO "AuditEvent"`);
    }
  });

  it("logs a refused request with the request id it answers with", async () => {
    loggedErrors.length = 0;
    const result = await callRaw("node.list", undefined, { method: "GET" });
    expect(result.status).toBe(401);
    const requestId = result.headers.get("x-request-id");
    expect(result.json.error!.json.data.requestId).toBe(requestId);
    expect(loggedErrors).toEqual([{ requestId, code: "UNAUTHORIZED", path: "node.list" }]);
  });

  it("answers 413 to a chunked body over the limit instead of resetting the connection", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(`${api.url}/api/trpc/agent.report`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: agentAuth },
        });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on("error", reject);
        });
        req.on("error", reject);
        // No Content-Length: node sends Transfer-Encoding: chunked.
        const chunk = "x".repeat(64 * 1024);
        req.write('{"json":{"applyError":"');
        for (let sent = 0; sent < MAX_BODY_BYTES * 2; sent += chunk.length) req.write(chunk);
        req.end('"}}');
      },
    );
    expect(status).toBe(413);
    expect(body).toMatch(/PAYLOAD_TOO_LARGE/);
  });
});

describe("node credentials", () => {
  it("ends the node's open config stream within 1 s of rotating its credential", async () => {
    const input = encodeURIComponent(JSON.stringify({ json: undefined }));
    const controller = new AbortController();
    const response = await fetch(`${api.url}/api/trpc/agent.config?input=${input}`, {
      headers: { authorization: agentAuth, accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before the first config");
      text += decoder.decode(value);
    }
    const rotated = await rotateCredential({
      db: testDb.db,
      actor: { id: null, email: "test" },
      nodeId,
    });
    agentAuth = `Bearer ${rotated.credential}`;
    const rotatedAt = performance.now();
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "closed";
        text += decoder.decode(value);
        if (text.includes("serialized-error")) return "error event";
      }
    })();
    const timeout = new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("still open"), 1000);
      void ended.finally(() => clearTimeout(timer));
    });
    const outcome = await Promise.race([ended, timeout]);
    controller.abort();
    expect(outcome).not.toBe("still open");
    expect(performance.now() - rotatedAt).toBeLessThan(1000);
    if (outcome === "error event") expect(text).toMatch(/UNAUTHORIZED/);
  });
});
