// Controller benchmark over real HTTP, against a controller process (the tRPC handler and the
// LISTEN fan-out) on a throwaway database:
//  1. config push: 500 simulated agents hold SSE config subscriptions; an admin change is
//     made; latency from the change's start until each agent received the new version.
//  2. report ingestion: 500 agents report every 5 s (10 peers each); controller CPU and RSS.
//  3. login latency (Argon2id dominates).
// Uses DATABASE_URL's server when set, else starts a throwaway PostgreSQL.
/* eslint-disable no-restricted-properties -- a benchmark sets up its database like a test */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import {
  applyConfigUpdate,
  TRPC_PATH,
  type TDesiredNodeConfig,
  type TNodeConfigUpdate,
} from "@meshover/netcfg";
import { createTestDatabase } from "@meshover/prisma/testing";
import type { AppRouter } from "../src/root";
import { generateSecret, hashPassword, hashSecret } from "../src/lib/secrets";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import { createHttpClient, generateWireguardPublicKey } from "../test/http-client";
import { startThrowawayPostgres } from "../../../scripts/lib/postgres.mjs";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
/** BENCH_HUBS=H: a hub-and-spoke mesh with nodes 1..H as hubs (issue #17); 0: a full mesh. */
const HUBS = Number(process.env.BENCH_HUBS ?? 0);
/** Which parts to run (BENCH_PHASES=push,report,login; all by default). */
const PHASES = new Set((process.env.BENCH_PHASES ?? "push,report,login").split(","));
const CHANGES = 10;
const REPORT_SECONDS = 30;
const REPORT_EVERY_MS = 5000;
const PEERS_PER_REPORT = 10;

/** Bytes the simulated agents' config streams received (to show the push volume). */
let streamBytes = 0;

/** A minimal SSE reader: calls `onId` with each event id (the config version). */
async function readEventIds(
  baseUrl: string,
  credential: string,
  signal: AbortSignal,
  onId: (id: number) => void,
) {
  try {
    const response = await fetch(`${baseUrl}${TRPC_PATH}/agent.config`, {
      headers: { authorization: `Bearer ${credential}`, accept: "text/event-stream" },
      signal,
    });
    if (!response.ok || !response.body) throw new Error(`config stream: ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      streamBytes += (chunk as Uint8Array).byteLength;
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith("id: ")) onId(Number(line.slice(4)));
      }
    }
  } catch (error) {
    if (!signal.aborted) console.error("config stream failed:", error);
  }
}

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  let postgres: { url: string; stop(): void } | null = null;
  if (!process.env.DATABASE_URL) {
    postgres = await startThrowawayPostgres();
    process.env.DATABASE_URL = postgres.url;
  }
  const testDb = await createTestDatabase();
  const { db } = testDb;
  let child: ChildProcess | null = null;
  try {
    await ensureSettings({ db });
    const settings = await db.setting.findUniqueOrThrow({ where: { id: 1 } });
    // Nodes are inserted directly: enrollment is not what this measures.
    const credentials: string[] = [];
    const nodes = Array.from({ length: AGENTS }, (_, i) => {
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
        isHub: index <= HUBS,
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
      data: {
        email: "bench@example.com",
        role: "admin",
        passwordHash: await hashPassword("bench password 123"),
      },
    });

    child = fork(fileURLToPath(new URL("./serve-controller.ts", import.meta.url)), [testDb.url], {
      execArgv: [
        "--import",
        "tsx",
        // BENCH_PROFILE_DIR=/tmp/prof writes a V8 CPU profile of the controller.
        ...(process.env.BENCH_PROFILE_DIR
          ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
          : []),
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const started = await new Promise<{ url: string; mode: string }>((resolve) =>
      child!.once("message", (m) => resolve(m as { url: string; mode: string })),
    );
    const stats = () =>
      new Promise<{ cpuPercent: number; rssMiB: number }>((resolve) => {
        child!.once("message", (m) => resolve(m as { cpuPercent: number; rssMiB: number }));
        child!.send("stats");
      });
    console.log(
      `controller ${started.url} (fan-out: ${started.mode}), ${AGENTS} agents, ` +
        (HUBS > 0 ? `hub-and-spoke with ${HUBS} hubs` : "full mesh"),
    );

    // 1. Config push latency.
    if (PHASES.has("push")) {
      const latest = new Array<number>(AGENTS).fill(-1);
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
      // Agent 0 is a real tRPC client (parses and checks its config); the others read only the
      // SSE event ids, so the 2-core box spends its CPU on the controller, not on 499 JSON.parse
      // calls of 120 KB that real agents do on their own machines.
      let firstConfig = null as TDesiredNodeConfig | null;
      const fullClient = createHttpClient(started.url, {
        authorization: `Bearer ${credentials[0]}`,
      }).agent.config.subscribe(undefined, {
        onData: (event: { data: TNodeConfigUpdate }) => {
          // A full config on connect, then deltas: agent 0 folds them as the real agent does.
          firstConfig = applyConfigUpdate(firstConfig, event.data);
          onVersion(0, event.data.version);
        },
        onError: (error: unknown) => console.error("agent 0:", error),
      });
      const aborter = new AbortController();
      for (let i = 1; i < AGENTS; i++) {
        void readEventIds(started.url, credentials[i]!, aborter.signal, (id) => onVersion(i, id));
      }
      const connectStarted = performance.now();
      while (latest.some((v) => v < 0)) await new Promise((r) => setTimeout(r, 50));
      console.log(
        `all ${AGENTS} subscriptions received their first config in ${ms(performance.now() - connectStarted)}`,
      );
      const admin = createTRPCClient<AppRouter>({
        links: [
          httpBatchLink({
            url: `${started.url}${TRPC_PATH}`,
            transformer: superjson,
            headers: () => (cookie ? { cookie } : {}),
          }),
        ],
      });
      let cookie = "";
      const loginResponse = await fetch(`${started.url}${TRPC_PATH}/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          json: { email: "bench@example.com", password: "bench password 123" },
        }),
      });
      cookie = (loginResponse.headers.getSetCookie()[0] ?? "").split(";")[0]!;
      const latencies: number[] = [];
      await stats(); // start the controller CPU window of the push phase
      const pushStarted = performance.now();
      const bytesBefore = streamBytes;
      const mutations: number[] = [];
      for (let change = 0; change < CHANGES; change++) {
        const current = (await db.setting.findUniqueOrThrow({ where: { id: 1 } })).meshVersion;
        const target = Number(current) + 1;
        const at: number[] = [];
        const received = new Promise<void>((done) =>
          waiters.set(change, { version: target, at, left: AGENTS, done }),
        );
        const t0 = performance.now();
        await admin.node.setPrefixes.mutate({
          nodeId: rows[change % AGENTS]!.id,
          prefixes: [{ cidr: `192.168.${change}.0/24` }],
        });
        mutations.push(performance.now() - t0);
        await Promise.race([received, new Promise((r) => setTimeout(r, 30_000))]);
        waiters.delete(change);
        const got = at.filter((v) => v !== undefined);
        if (got.length < AGENTS)
          console.log(`change ${change}: only ${got.length}/${AGENTS} received`);
        latencies.push(...got.map((t) => t - t0));
        await new Promise((r) => setTimeout(r, 200));
      }
      const pushUsage = await stats();
      const pushCpuMs = (pushUsage.cpuPercent / 100) * (performance.now() - pushStarted);
      console.log(
        `config push (change -> all ${AGENTS} agents received), ${CHANGES} changes: ` +
          `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, ` +
          `max ${ms(Math.max(...latencies))} (the admin mutation itself: p50 ${ms(percentile(mutations, 50))}); ` +
          `controller CPU ${ms(pushCpuMs / CHANGES)} per change; ` +
          `${((streamBytes - bytesBefore) / CHANGES / 1e6).toFixed(2)} MB streamed per change ` +
          `to ${AGENTS - 1} agents`,
      );
      // Agent 0's folded config must equal what the changes made: every peer, each change's
      // prefix on its node (change 0 was agent 0 itself).
      const folded = firstConfig;
      const isRight =
        folded?.peers.length === AGENTS - 1 &&
        folded.self.advertisedPrefixes[0] === "192.168.0.0/24" &&
        Array.from({ length: CHANGES - 1 }, (_, i) => i + 1).every(
          (change) =>
            folded.peers.find((peer) => peer.id === rows[change % AGENTS]!.id)
              ?.advertisedPrefixes[0] === `192.168.${change}.0/24`,
        );
      if (!isRight) throw new Error("agent 0's config after the deltas is wrong");
      fullClient.unsubscribe();
      aborter.abort();
    }

    // 2. Report ingestion.
    if (PHASES.has("report")) {
      const agents = rows.map((row, i) => ({
        row,
        publicKey: nodes[i]!.publicKey,
        client: createTRPCClient<AppRouter>({
          links: [
            httpBatchLink({
              url: `${started.url}${TRPC_PATH}`,
              transformer: superjson,
              headers: { authorization: `Bearer ${credentials[i]}` },
            }),
          ],
        }),
      }));
      await stats(); // reset the CPU window
      const reportLatencies: number[] = [];
      let failures = 0;
      const deadline = performance.now() + REPORT_SECONDS * 1000;
      const runs = agents.map(async (agent, i) => {
        await new Promise((r) => setTimeout(r, (i / AGENTS) * REPORT_EVERY_MS));
        while (performance.now() < deadline) {
          const begin = performance.now();
          try {
            await agent.client.agent.report.mutate({
              agentVersion: "bench",
              hostInfo: {
                hostname: agent.row.id.slice(0, 8),
                kernel: "6.1",
                wireguard: "wireguard-go",
                frrMode: "managed",
                frrVersion: "8.4",
                addressDevice: "lo",
              },
              endpoints: [nodes[agent.row.index - 1]!.endpoints[0]!],
              publicKey: agent.publicKey,
              rotationId: null,
              appliedVersion: 1,
              applyError: null,
              peers: Array.from({ length: PEERS_PER_REPORT }, (_, p) => {
                const peer = rows[(agent.row.index + p) % AGENTS]!;
                return {
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
                };
              }),
            });
            reportLatencies.push(performance.now() - begin);
          } catch {
            failures++;
          }
          await new Promise((r) =>
            setTimeout(r, Math.max(0, REPORT_EVERY_MS - (performance.now() - begin))),
          );
        }
      });
      await Promise.all(runs);
      const usage = await stats();
      console.log(
        `report ingestion: ${AGENTS} agents every ${REPORT_EVERY_MS / 1000} s (${PEERS_PER_REPORT} peers each) ` +
          `for ${REPORT_SECONDS} s: ${reportLatencies.length} reports, ${failures} failed, ` +
          `latency p50 ${ms(percentile(reportLatencies, 50))} p99 ${ms(percentile(reportLatencies, 99))}; ` +
          `controller CPU ${usage.cpuPercent.toFixed(1)} % of one core, RSS ${usage.rssMiB.toFixed(0)} MiB`,
      );
    }

    // 3. Login latency.
    if (PHASES.has("login")) {
      const logins: number[] = [];
      for (let i = 0; i < 20; i++) {
        const begin = performance.now();
        const response = await fetch(`${started.url}${TRPC_PATH}/auth.login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            json: { email: "bench@example.com", password: "bench password 123" },
          }),
        });
        if (!response.ok) throw new Error(`login failed: ${response.status}`);
        logins.push(performance.now() - begin);
      }
      console.log(
        `login (Argon2id, 20 sequential): p50 ${ms(percentile(logins, 50))}, p99 ${ms(percentile(logins, 99))}`,
      );
    }
  } finally {
    if (child) {
      child.send("stop");
      await new Promise((r) => child!.once("exit", r));
    }
    await testDb.drop();
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
