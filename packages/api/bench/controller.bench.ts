// Controller benchmark: simulated agents over real HTTP/SSE against the real controller process
// (apps/web/src/server/main.ts, Next included, as `npm start` runs it), measured from inside
// that process by a preloaded probe (controller-probe.ts). Prints:
//  1. report: CPU (% of one core) while 500 agents report every 5 s (10 peers each), on a
//     throwaway database of a real PostgreSQL; then login latency (Argon2id dominates).
//  2. push: 2,000 agents hold SSE config subscriptions; time from an admin change until each
//     agent received the new version, p50/p99 over 10 changes.
//  3. memory: resident memory of a controller on the embedded database (PGlite) with 10
//     enrolled nodes reporting every 5 s, and where it goes (each part started in turn).
// BENCH_PHASES=report,push,memory picks parts; BENCH_AGENTS / BENCH_PUSH_AGENTS change the
// sizes; BENCH_PROFILE_DIR=/tmp/prof writes V8 CPU profiles of the controller.
// Uses DATABASE_URL's server when set, else starts a throwaway PostgreSQL.
/* eslint-disable no-restricted-properties -- a benchmark sets up its database like a test */
import { fork, type ChildProcess } from "node:child_process";
import { setMaxListeners } from "node:events";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import {
  applyConfigUpdate,
  TRPC_PATH,
  type TDesiredNodeConfig,
  type TNodeConfigUpdate,
} from "@meshover/netcfg";
import { createTestDatabase, type TTestDatabase } from "@meshover/prisma/testing";
import type { AppRouter } from "../src/root";
import { generateSecret, hashPassword, hashSecret } from "../src/lib/secrets";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import {
  createHttpClient,
  generateWireguardPublicKey,
  makeEnrollRequest,
} from "../test/http-client";
import { findFreePort, startThrowawayPostgres } from "../../../scripts/lib/postgres.mjs";
import { ensureWebBuild } from "../../../scripts/lib/setup.mjs";

const REPORT_AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const PUSH_AGENTS = Number(process.env.BENCH_PUSH_AGENTS ?? 2000);
const MEMORY_NODES = 10;
const PHASES = new Set((process.env.BENCH_PHASES ?? "report,push,memory").split(","));
const CHANGES = 10;
const REPORT_SECONDS = 30;
const REPORT_EVERY_MS = 5000;
const PEERS_PER_REPORT = 10;
const ADMIN = { email: "bench@example.com", password: "bench password 123" };

const WEB_DIR = fileURLToPath(new URL("../../../apps/web/", import.meta.url));
const MAIN = join(WEB_DIR, "src", "server", "main.ts");
const PROBE = fileURLToPath(new URL("./controller-probe.ts", import.meta.url));
const STAGES = join(WEB_DIR, "bench", "memory-stages.ts");

/** What the probe inside the controller answers. */
interface TStats {
  cpuMs: number;
  cpuPercent: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (value: number) => `${value.toFixed(0)} MiB`;

/** The real controller in its own process (CPU and memory apart from the simulated agents). */
async function startController(env: Record<string, string>) {
  const port = await findFreePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    MESHOVER_LOG_LEVEL: "warn",
    ...env,
  };
  // No DATABASE_URL: the embedded database, as `npm start` without one.
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child: ChildProcess = fork(MAIN, [], {
    cwd: WEB_DIR,
    execArgv: ["--import", "tsx", "--import", PROBE],
    env: childEnv,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the controller exited with ${child.exitCode}`);
    const response = await fetch(`${url}/api/health`).catch(() => null);
    if (response?.ok) break;
    if (performance.now() > deadline) throw new Error("the controller did not start in 120 s");
    await sleep(200);
  }
  return {
    url,
    stats: () =>
      new Promise<TStats>((resolve) => {
        child.once("message", (message) => resolve(message as TStats));
        child.send("stats");
      }),
    /** Start or stop a CPU profile of the controller (BENCH_PROFILE_DIR; no-op without). */
    profile: (profile: "start" | "stop", name: string) =>
      process.env.BENCH_PROFILE_DIR
        ? new Promise<unknown>((resolve) => {
            child.once("message", resolve);
            child.send({ profile, name });
          })
        : Promise.resolve(null),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
type TController = Awaited<ReturnType<typeof startController>>;

/** A database with `count` nodes on a full mesh, their credentials and the admin. */
async function seedMesh(count: number) {
  const testDb = await createTestDatabase();
  const { db } = testDb;
  await ensureSettings({ db });
  const settings = await db.setting.findUniqueOrThrow({ where: { id: 1 } });
  // Nodes are inserted directly: enrollment is not what this measures.
  const credentials: string[] = [];
  const nodes = Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    credentials.push(generateSecret("mo_node_", 32));
    return {
      name: `bench-${index}`,
      index,
      asn: settings.asnMin + BigInt(i),
      ipv4: `10.128.${Math.floor(index / 256)}.${index % 256}`,
      ipv6: `${settings.ipv6Pool.replace("::/48", "")}::${index.toString(16)}`,
      publicKey: generateWireguardPublicKey(),
      endpoints: [`2001:db8::${index.toString(16)}`],
      lastSeenAt: new Date(),
    };
  });
  await db.node.createMany({ data: nodes });
  const rows = await db.node.findMany({
    select: { id: true, index: true },
    orderBy: { index: "asc" },
  });
  await db.nodeCredential.createMany({
    data: rows.map((row, i) => ({ nodeId: row.id, secretHash: hashSecret(credentials[i]!) })),
  });
  await db.user.create({
    data: { email: ADMIN.email, role: "admin", passwordHash: await hashPassword(ADMIN.password) },
  });
  return { testDb, nodes, rows, credentials };
}

/** An admin tRPC client with a session cookie. */
async function signInAdmin(url: string) {
  const response = await fetch(`${url}${TRPC_PATH}/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: ADMIN }),
  });
  if (!response.ok) throw new Error(`admin login failed: ${response.status}`);
  const cookie = (response.headers.getSetCookie()[0] ?? "").split(";")[0]!;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({ url: `${url}${TRPC_PATH}`, transformer: superjson, headers: { cookie } }),
    ],
  });
}

/** An agent's tRPC client (reports). */
function createAgentClient(url: string, credential: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}${TRPC_PATH}`,
        transformer: superjson,
        headers: { authorization: `Bearer ${credential}` },
      }),
    ],
  });
}

/**
 * A plausible report of `peerIds` (all Established), with what a real agent sends on every
 * report besides: the tunnels and BGP neighbours it has (drift) and its last re-apply.
 */
function makeReport(publicKey: string, endpoint: string, peerIds: { id: string; index: number }[]) {
  const interfaces = peerIds.map((peer) => `mo${peer.index}`);
  return {
    observed: { tunnels: interfaces, bgpNeighbors: interfaces },
    reappliedId: null,
    agentVersion: "bench",
    hostInfo: makeEnrollRequest("x".repeat(16), "bench").hostInfo,
    endpoints: [endpoint],
    publicKey,
    rotationId: null,
    appliedVersion: 1,
    applyError: null,
    peers: peerIds.map((peer) => ({
      peerId: peer.id,
      interface: `mo${peer.index}`,
      peerPublicKey: null,
      handshakeAt: new Date().toISOString(),
      rxBytes: 1000,
      txBytes: 2000,
      bgpState: "Established",
      bgpUptimeSec: 100,
      bfdState: "Up",
      prefixesReceived: 1,
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 1.2,
    })),
  };
}

/** Every agent reports every REPORT_EVERY_MS for `seconds`; returns latencies and failures. */
async function runReporters(
  agents: { client: ReturnType<typeof createAgentClient>; report: () => object }[],
  seconds: number,
) {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    agents.map(async (agent, i) => {
      await sleep((i / agents.length) * REPORT_EVERY_MS);
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await agent.client.agent.report.mutate(
            agent.report() as Parameters<typeof agent.client.agent.report.mutate>[0],
          );
          latencies.push(performance.now() - begin);
        } catch {
          failures++;
        }
        await sleep(Math.max(0, REPORT_EVERY_MS - (performance.now() - begin)));
      }
    }),
  );
  return { latencies, failures };
}

/** 1. Report ingestion CPU at REPORT_AGENTS × 5 s, then login latency. */
async function benchReports(controller: TController, mesh: Awaited<ReturnType<typeof seedMesh>>) {
  const { rows, nodes, credentials } = mesh;
  const agents = rows.map((row, i) => ({
    client: createAgentClient(controller.url, credentials[i]!),
    report: () =>
      makeReport(
        nodes[i]!.publicKey,
        nodes[i]!.endpoints[0]!,
        Array.from({ length: PEERS_PER_REPORT }, (_, p) => rows[(row.index + p) % rows.length]!),
      ),
  }));
  // A first round outside the window: authentication and the first samples.
  await runReporters(agents, 1);
  await sleep(REPORT_EVERY_MS);
  await controller.stats(); // start the CPU window
  const { latencies, failures } = await runReporters(agents, REPORT_SECONDS);
  const usage = await controller.stats();
  const perReport = usage.cpuMs / latencies.length;
  const expected = (REPORT_AGENTS * REPORT_SECONDS * 1000) / REPORT_EVERY_MS;
  console.log(
    `report ingestion: ${REPORT_AGENTS} agents every ${REPORT_EVERY_MS / 1000} s (${PEERS_PER_REPORT} peers each) ` +
      `for ${REPORT_SECONDS} s: ${latencies.length} of ${expected} reports, ${failures} failed, ` +
      `latency p50 ${ms(percentile(latencies, 50))} p99 ${ms(percentile(latencies, 99))}; ` +
      `controller CPU ${usage.cpuPercent.toFixed(1)} % of one core ` +
      `(${ms(perReport)} per report, so ${(((perReport * REPORT_AGENTS) / REPORT_EVERY_MS) * 100).toFixed(1)} % at the full rate), ` +
      `RSS ${mib(usage.rssMiB)}`,
  );

  const logins: number[] = [];
  for (let i = 0; i < 20; i++) {
    const begin = performance.now();
    await signInAdmin(controller.url);
    logins.push(performance.now() - begin);
  }
  console.log(
    `login (Argon2id, 20 sequential): p50 ${ms(percentile(logins, 50))}, p99 ${ms(percentile(logins, 99))}`,
  );
}

/** Bytes the simulated agents' config streams received (to show the push volume). */
let streamBytes = 0;

/** Config streams that failed and were opened again (a real agent resubscribes too). */
let streamRetries = 0;

/**
 * A minimal SSE reader: calls `onId` with each event id (the config version). A stream that
 * fails (the controller resets a connection while 2,000 open at once) is opened again after a
 * second, as the agent does; the first event of the new stream is the full current config.
 * Plain `node:http` (no fetch and web streams): the 2,000 simulated agents share the 2 cores
 * with the controller under test, and each should cost as little of them as it can.
 */
async function readEventIds(
  baseUrl: string,
  credential: string,
  signal: AbortSignal,
  onId: (id: number) => void,
) {
  while (!signal.aborted) {
    try {
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          `${baseUrl}${TRPC_PATH}/agent.config`,
          {
            headers: { authorization: `Bearer ${credential}`, accept: "text/event-stream" },
            signal,
          },
          (response) => {
            if (response.statusCode !== 200) {
              response.resume();
              reject(new Error(`config stream: ${response.statusCode}`));
              return;
            }
            response.setEncoding("utf8");
            let buffer = "";
            response.on("data", (chunk: string) => {
              streamBytes += Buffer.byteLength(chunk);
              buffer += chunk;
              let newline: number;
              while ((newline = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, newline);
                buffer = buffer.slice(newline + 1);
                if (line.startsWith("id: ")) onId(Number(line.slice(4)));
              }
            });
            response.on("end", resolve);
            response.on("error", reject);
          },
        );
        request.on("error", reject);
        request.end();
      });
    } catch (error) {
      if (signal.aborted) return;
      if (streamRetries++ < 5) console.error("config stream failed, opening it again:", error);
    }
    await sleep(1000);
  }
}

/** 2. Config push latency to PUSH_AGENTS subscribed agents. */
async function benchPush(controller: TController, mesh: Awaited<ReturnType<typeof seedMesh>>) {
  const { rows, credentials, testDb } = mesh;
  const agents = rows.length;
  const latest = new Array<number>(agents).fill(-1);
  const waiters = new Map<
    number,
    { version: number; at: number[]; left: number; done: () => void }
  >();
  const onVersion = (i: number, version: number) => {
    latest[i] = version;
    for (const waiter of waiters.values()) {
      if (version >= waiter.version && waiter.at[i] === undefined) {
        waiter.at[i] = performance.now();
        if (--waiter.left === 0) waiter.done();
      }
    }
  };
  // Agent 0 is a real tRPC client (parses and folds its config as the agent does); the others
  // read only the SSE event ids, so the 2-core box spends its CPU on the controller, not on
  // thousands of JSON.parse calls of configs that real agents do on their own machines.
  let firstConfig = null as TDesiredNodeConfig | null;
  let streamError: unknown = null;
  const fullClient = createHttpClient(controller.url, {
    authorization: `Bearer ${credentials[0]}`,
  }).agent.config.subscribe(undefined, {
    onData: (event: { data: TNodeConfigUpdate }) => {
      firstConfig = applyConfigUpdate(firstConfig, event.data);
      onVersion(0, event.data.version);
    },
    onError: (error: unknown) => (streamError = error),
  });
  const aborter = new AbortController();
  // One abort signal ends every simulated stream.
  setMaxListeners(agents + 10, aborter.signal);
  const connectStarted = performance.now();
  for (let i = 1; i < agents; i++) {
    void readEventIds(controller.url, credentials[i]!, aborter.signal, (id) => onVersion(i, id));
  }
  const connectDeadline = performance.now() + 600_000;
  while (latest.some((v) => v < 0)) {
    if (streamError) throw new Error("agent 0's config stream failed", { cause: streamError });
    if (performance.now() > connectDeadline)
      throw new Error("not every agent got a config in 10 min");
    await sleep(50);
  }
  console.log(
    `all ${agents} subscriptions received their first (full) config in ${ms(performance.now() - connectStarted)}`,
  );
  const admin = await signInAdmin(controller.url);
  const latencies: number[] = [];
  const mutations: number[] = [];
  await controller.profile("start", "push");
  await controller.stats(); // start the CPU window of the push phase
  const bytesBefore = streamBytes;
  for (let change = 0; change < CHANGES; change++) {
    const current = (await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } })).meshVersion;
    const at: number[] = [];
    const received = new Promise<void>((done) =>
      waiters.set(change, { version: Number(current) + 1, at, left: agents, done }),
    );
    const t0 = performance.now();
    await admin.node.setPrefixes.mutate({
      nodeId: rows[change % agents]!.id,
      prefixes: [{ cidr: `192.168.${change}.0/24` }],
    });
    mutations.push(performance.now() - t0);
    await Promise.race([received, sleep(30_000)]);
    waiters.delete(change);
    const got = at.filter((v) => v !== undefined);
    if (got.length < agents) console.log(`change ${change}: only ${got.length}/${agents} received`);
    latencies.push(...got.map((t) => t - t0));
    await sleep(500);
  }
  const usage = await controller.stats();
  const profiled = await controller.profile("stop", "push");
  if (profiled) console.log("controller CPU profile of the push phase:", profiled);
  console.log(
    `config push (change -> each of ${agents} agents received it), ${CHANGES} changes: ` +
      `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, ` +
      `max ${ms(Math.max(...latencies))} (the admin mutation itself: p50 ${ms(percentile(mutations, 50))}); ` +
      `controller CPU ${ms(usage.cpuMs / CHANGES)} per change; ` +
      `${((streamBytes - bytesBefore) / CHANGES / 1e6).toFixed(2)} MB streamed per change; ` +
      `${streamRetries} streams reopened; ` +
      `RSS ${mib(usage.rssMiB)}`,
  );
  // Agent 0's folded config must equal what the changes made: every peer, each change's
  // prefix on its node (change 0 was agent 0 itself).
  const folded = firstConfig;
  const isRight =
    folded?.peers.length === agents - 1 &&
    folded.self.advertisedPrefixes[0] === "192.168.0.0/24" &&
    Array.from({ length: CHANGES - 1 }, (_, i) => i + 1).every(
      (change) =>
        folded.peers.find((peer) => peer.id === rows[change % agents]!.id)
          ?.advertisedPrefixes[0] === `192.168.${change}.0/24`,
    );
  if (!isRight) throw new Error("agent 0's config after the deltas is wrong");
  fullClient.unsubscribe();
  aborter.abort();
}

/** 3. Resident memory on the embedded database with MEMORY_NODES reporting nodes. */
async function benchMemory() {
  const dataDir = mkdtempSync(join(tmpdir(), "meshover-bench-"));
  try {
    const env = {
      MESHOVER_DATA_DIR: dataDir,
      MESHOVER_ADMIN_EMAIL: ADMIN.email,
      MESHOVER_ADMIN_PASSWORD: ADMIN.password,
    };
    // The first start creates the database (initdb); a controller runs restarted far more
    // often than fresh, so the figure is taken after a restart.
    await (await startController(env)).stop();
    const controller = await startController(env);
    try {
      const admin = await signInAdmin(controller.url);
      const { token } = await admin.token.create.mutate({ ttlSec: 600, usesAllowed: MEMORY_NODES });
      const enrolled = [];
      for (let i = 0; i < MEMORY_NODES; i++) {
        const request = makeEnrollRequest(token, `bench-${i + 1}`);
        const answer = await createHttpClient(controller.url).agent.enroll.mutate(request);
        enrolled.push({ ...answer, request });
      }
      const peers = enrolled.map((node, i) => ({ id: node.nodeId, index: i + 1 }));
      const agents = enrolled.map((node) => ({
        client: createAgentClient(controller.url, node.credential),
        report: () =>
          makeReport(
            node.request.publicKey,
            node.request.endpoints[0]!,
            peers.filter((peer) => peer.id !== node.nodeId),
          ),
      }));
      // A dashboard user looks at the topology once, as after sign-in.
      await admin.topology.get.query();
      const before = await controller.stats();
      const { latencies } = await runReporters(agents, REPORT_SECONDS);
      const after = await controller.stats();
      console.log(
        `memory, embedded database (PGlite), ${MEMORY_NODES} nodes reporting every ${REPORT_EVERY_MS / 1000} s ` +
          `(${latencies.length} reports in ${REPORT_SECONDS} s): RSS ${mib(before.rssMiB)} after start and enrolment, ` +
          `${mib(after.rssMiB)} after ${REPORT_SECONDS} s of reports; V8 heap ${mib(after.heapUsedMiB)} used of ` +
          `${mib(after.heapTotalMiB)}, outside the heap (WASM memories of PGlite and Prisma, buffers) ` +
          `${mib(after.externalMiB)} reserved; CPU ${after.cpuPercent.toFixed(1)} % of one core`,
      );
    } finally {
      await controller.stop();
    }
    // Where it goes: the same parts started one at a time on that data folder.
    const stages = fork(STAGES, [dataDir], {
      cwd: WEB_DIR,
      execArgv: ["--expose-gc", "--import", "tsx"],
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let output = "";
    stages.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => stages.once("exit", resolve));
    console.log("memory by part (resident set after each part starts, after a full GC):");
    for (const line of output.split("\n").filter((l) => l.startsWith("{"))) {
      const stage = JSON.parse(line) as { stage: string; rssMiB: number; deltaMiB: number };
      console.log(
        `  ${stage.stage.padEnd(42)} +${mib(stage.deltaMiB).padStart(8)}  = ${mib(stage.rssMiB)}`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function withMesh(
  count: number,
  run: (controller: TController, mesh: Awaited<ReturnType<typeof seedMesh>>) => Promise<void>,
) {
  let testDb: TTestDatabase | null = null;
  let controller: TController | null = null;
  try {
    const mesh = await seedMesh(count);
    testDb = mesh.testDb;
    controller = await startController({ DATABASE_URL: mesh.testDb.url });
    console.log(`controller ${controller.url}, ${count} nodes, full mesh, PostgreSQL`);
    await run(controller, mesh);
  } finally {
    await controller?.stop();
    await testDb?.drop();
  }
}

async function main() {
  ensureWebBuild();
  let postgres: { url: string; stop(): void } | null = null;
  if (!process.env.DATABASE_URL && (PHASES.has("report") || PHASES.has("push"))) {
    postgres = await startThrowawayPostgres();
    process.env.DATABASE_URL = postgres.url;
  }
  try {
    if (PHASES.has("report")) await withMesh(REPORT_AGENTS, benchReports);
    if (PHASES.has("push")) await withMesh(PUSH_AGENTS, benchPush);
    if (PHASES.has("memory")) await benchMemory();
  } finally {
    postgres?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
