// The controller↔agent contract without root: the real agent loop (joinMesh, then runAgent
// with its three parts) against the real controller (`serveApi` over real HTTP and SSE, real
// PostgreSQL), each agent on its own fake host. Covers enroll, the full config, deltas from
// mesh changes made through the admin API, node removal, and the resubscribe after a delta that
// does not apply (forced by a proxy that drops one stream event).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  bootstrapAdmin,
  createCaller,
  createContextInner,
  ensureSettings,
  serveApi,
  SESSION_COOKIE,
  type TApiServer,
} from "@meshover/api";
import { createTestDatabase, type TTestDatabase } from "@meshover/prisma/testing";
import { joinMesh } from "../src/commands/join-mesh";
import { leaveMesh } from "../src/commands/leave-mesh";
import { runAgent } from "../src/commands/run-agent";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestKey } from "./test-config";

const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };
const logger = pino({ level: "silent" });

let testDb: TTestDatabase;
let api: TApiServer;
let dir: string;
let admin: ReturnType<typeof createCaller>;

/** A caller signed in as the admin (through auth.login, as the dashboard is). */
async function signInAdmin(db: TTestDatabase["db"]) {
  await bootstrapAdmin({ db, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  const resHeaders = new Headers();
  await createCaller(createContextInner({ db, headers: new Headers(), resHeaders })).auth.login(
    ADMIN,
  );
  const cookie = resHeaders
    .getSetCookie()
    .map((value) => new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(value)?.[1])
    .find(Boolean);
  const headers = new Headers({ cookie: `${SESSION_COOKIE}=${cookie ?? ""}` });
  return createCaller(createContextInner({ db, headers, resHeaders: new Headers() }));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  await ensureSettings({ db: testDb.db });
  api = await serveApi({ db: testDb.db });
  admin = await signInAdmin(testDb.db);
  dir = mkdtempSync(join(tmpdir(), "mo-agent-contract-"));
});
afterAll(async () => {
  await api?.close();
  await testDb?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface TLogLine {
  msg: string;
  [key: string]: unknown;
}

/** One agent on its own fake host: join with a token, then run until stopped. */
async function startNode(name: string, seed: number, controller = api.url) {
  const store = new StateStore(join(dir, name));
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: true,
    keys: { [makeTestKey(seed)]: makeTestKey(seed + 1) },
    socketDir: join(dir, `${name}-wg`),
  });
  const logs: TLogLine[] = [];
  const nodeLogger = pino(
    { level: "debug" },
    { write: (line: string) => logs.push(JSON.parse(line) as TLogLine) },
  );
  const host = createFakeHostDriver(fake, { store, logger });
  const { token } = await admin.token.create({ usesAllowed: 1, ttlSec: 600 });
  const joined = await joinMesh({
    store,
    runner: fake,
    logger,
    host,
    controller,
    token,
    name,
    endpoints: [`2001:db8::${seed.toString(16)}`],
    isHttpAllowed: true,
    pinSha256: null,
    frrMode: "none",
  });
  let stop = () => {};
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  const running = runAgent({
    store,
    runner: fake,
    logger: nodeLogger,
    frrMode: "none",
    frrPathspace: null,
    resyncSec: 3600,
    isCleanupOnExit: false,
    stopSignal,
    nodeGoneRetryMs: 200,
    hostOptions: { readSysctl: fake.readSysctl, writeSysctl: fake.writeSysctl, pollMs: 1 },
    random: () => 0,
  });
  const count = (msg: string) => logs.filter((line) => line.msg === msg).length;
  return {
    ...joined,
    fake,
    host,
    store,
    logs,
    count,
    stop: async () => {
      stop();
      await running;
    },
  };
}

/** The index the controller gave a node (its tunnel on every other node is `mo<index>`). */
async function indexOf(nodeId: string): Promise<number> {
  return (await testDb.db.node.findUniqueOrThrow({ where: { id: nodeId } })).index;
}

const tunnels = (fake: FakeHost) =>
  fake.links
    .filter((link) => /^mo\d+$/.test(link.name))
    .map((link) => link.name)
    .sort();

const waitFor = (check: () => void | Promise<void>) =>
  vi.waitFor(check, { timeout: 10_000, interval: 20 });

/**
 * A proxy to the controller that drops the `drop`-th SSE data event of the first config
 * stream: the agent then holds a config that the next delta does not fit.
 */
async function startDroppingProxy(
  target: string,
  drop: number,
): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  let streams = 0;
  const server = createServer((req, res) => {
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const isStream = String(answer.headers["content-type"]).includes("text/event-stream");
        const isFirst = isStream && ++streams === 1;
        let events = 0;
        let buffer = "";
        answer.on("data", (chunk: Buffer) => {
          if (!isFirst) return void res.write(chunk);
          buffer += chunk.toString("utf8");
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const event = buffer.slice(0, end + 2);
            buffer = buffer.slice(end + 2);
            // Message events only: tRPC's `event: connected` / `event: ping` frames pass.
            const lines = event.split("\n");
            const isData =
              lines.some((line) => line.startsWith("data:")) &&
              !lines.some((line) => line.startsWith("event:"));
            if (isData && ++events === drop) continue;
            res.write(event);
          }
        });
        answer.on("end", () => res.end());
      },
    );
    req.pipe(forwarded);
    res.on("close", () => forwarded.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("agent ↔ controller contract (real HTTP, real Postgres, fake hosts)", () => {
  it("joins, builds from the full config, applies a mesh change as a delta, keeps the host when removed", async () => {
    const a = await startNode("alpha", 0x100);
    const b = await startNode("bravo", 0x200);
    try {
      const indexB = await indexOf(b.nodeId);
      const indexA = await indexOf(a.nodeId);
      await waitFor(() => expect(tunnels(a.fake)).toEqual([`mo${indexB}`]));
      await waitFor(() => expect(tunnels(b.fake)).toEqual([`mo${indexA}`]));
      expect(a.fake.dump()).toContain(`endpoint=[2001:db8::200]:${51820 + indexA}`);
      // Bravo's join brought its first config: it built from that at once, and the stream's
      // first event (the same config) was no news.
      expect(b.count("starting from cached config")).toBe(1);
      await waitFor(() => expect(b.count("config unchanged")).toBe(1));
      expect(b.count("config received")).toBe(0);

      // A third node joins: alpha learns it over the open stream (a delta, no reconnect).
      const c = await startNode("charlie", 0x300);
      try {
        const indexC = await indexOf(c.nodeId);
        await waitFor(() => expect(tunnels(a.fake)).toEqual([`mo${indexB}`, `mo${indexC}`].sort()));
        expect(a.count("config stream connected")).toBe(1);
        expect(a.count("config rejected: nothing applied")).toBe(0);

        // Bravo is removed in the dashboard: alpha tears its tunnel down; bravo keeps its host.
        await admin.node.remove({ nodeId: b.nodeId });
        await waitFor(() => expect(tunnels(a.fake)).toEqual([`mo${indexC}`]));
        await waitFor(() =>
          expect(
            b.logs.some((line) => line.msg.startsWith("node removed or credential revoked")),
          ).toBe(true),
        );
        expect(tunnels(b.fake)).toEqual([`mo${indexA}`, `mo${indexC}`].sort());
        expect(b.fake.unexpected).toEqual([]);
      } finally {
        await c.stop();
      }
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(a.fake.unexpected).toEqual([]);
  });

  it("re-apply: drift reported, the request streams to the agent, its report completes it", async () => {
    const a = await startNode("kilo", 0xb00);
    const b = await startNode("lima", 0xc00);
    try {
      const indexB = await indexOf(b.nodeId);
      // Nodes of earlier tests may still be in the mesh: kilo builds a tunnel to each.
      await waitFor(() => expect(tunnels(a.fake)).toContain(`mo${indexB}`));
      await waitFor(async () =>
        expect((await admin.drift.get({ nodeId: a.nodeId })).differences).toEqual({
          missingTunnels: [],
          extraTunnels: [],
          missingNeighbors: [],
          extraNeighbors: [],
        }),
      );
      const { reapplyId } = await admin.drift.reapply({ nodeId: a.nodeId });
      await waitFor(async () => {
        const drift = await admin.drift.get({ nodeId: a.nodeId });
        expect(drift.reapply.isPending).toBe(false);
        expect(drift.reapply.doneAt).not.toBeNull();
      });
      const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
      expect(node.reappliedId).toBe(reapplyId);
      expect(a.logs.some((line) => line.msg === "re-applied")).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(a.fake.unexpected).toEqual([]);
  });

  it("resubscribes for a full config when a delta does not fit, and converges", async () => {
    const proxy = await startDroppingProxy(api.url, 2);
    const d = await startNode("delta", 0x400, proxy.url);
    try {
      // The stream's first event (the config the join brought) arrived.
      await waitFor(() => expect(d.count("config unchanged")).toBe(1));
      // Two mesh changes: the first delta is dropped, so the second does not fit.
      const e = await startNode("echo", 0x500);
      const f = await startNode("foxtrot", 0x600);
      try {
        const expected = (await Promise.all([e, f].map((node) => indexOf(node.nodeId))))
          .map((index) => `mo${index}`)
          .sort();
        await waitFor(() => expect(d.count("config stream connected")).toBe(2));
        expect(
          d.logs.some(
            (line) =>
              line.msg === "config rejected: nothing applied" && line.isResyncNeeded === true,
          ),
        ).toBe(true);
        await waitFor(() =>
          expect(tunnels(d.fake).filter((name) => expected.includes(name))).toEqual(expected),
        );
      } finally {
        await e.stop();
        await f.stop();
      }
    } finally {
      await d.stop();
      proxy.server.close();
    }
  });

  it("leaves: tears the host down, and the controller removes the node for every peer", async () => {
    const g = await startNode("golf", 0x700);
    const h = await startNode("hotel", 0x800);
    try {
      const indexH = await indexOf(h.nodeId);
      await waitFor(() => expect(tunnels(g.fake)).toContain(`mo${indexH}`));
      await h.stop();
      const outcome = await leaveMesh({
        store: h.store,
        runner: h.fake,
        logger,
        frr: null,
        host: h.host,
      });
      expect(outcome).toEqual({ errors: [], controller: { status: "removed" } });
      expect(tunnels(h.fake)).toEqual([]);
      expect(h.fake.dump()).not.toContain("meshover0");
      expect(h.store.readIdentity()).toBeNull();
      expect(await testDb.db.node.findUnique({ where: { id: h.nodeId } })).toBeNull();
      await waitFor(() => expect(tunnels(g.fake)).not.toContain(`mo${indexH}`));
    } finally {
      await g.stop();
    }
  });

  it("keeps the host when its credential is revoked, and recovers after set-credential", async () => {
    const i = await startNode("india", 0x900);
    const j = await startNode("juliet", 0xa00);
    try {
      const indexJ = await indexOf(j.nodeId);
      await waitFor(() => expect(tunnels(i.fake)).toContain(`mo${indexJ}`));
      const built = tunnels(i.fake);
      const { credential } = await admin.key.rotateCredential({ nodeId: i.nodeId });
      // The open stream outlives the old credential; the next health report is refused, which
      // closes it and retries slowly.
      const gone = (line: TLogLine) => line.msg.startsWith("node removed or credential revoked");
      await waitFor(() => expect(i.logs.some(gone)).toBe(true));
      expect(tunnels(i.fake)).toEqual(built);
      // What `meshover-agent set-credential` does; the running agent picks it up.
      i.store.writeIdentity({ ...i.store.readIdentity()!, credential });
      await waitFor(() => expect(i.count("controller accepts this node again")).toBe(1));
      expect(i.logs.filter(gone)).toHaveLength(1);
    } finally {
      await i.stop();
      await j.stop();
    }
  });
});
