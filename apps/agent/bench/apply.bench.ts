// Agent benchmarks (root only; prints figures, not a timed test):
//  1. wall time of one reconcile pass (observe + plan + apply) for a one-peer change on a node
//     with 5 and 20 peers, using the REAL executor inside a throwaway network namespace with
//     wireguard-go tunnels and a managed FRR (vtysh -N), i.e. everything `run` does;
//  2. the bundled agent's idle CPU and RSS while it holds a converged 20-peer node.
// The namespace has only `lo` and the tunnels: WireGuard packets to the fake peers
// (2001:db8::/32) have no route and never leave it. Everything is stopped by PID afterwards.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { DEFAULT_NODE_ROUTING, type TDesiredNodeConfig, type TPeerConfig } from "@meshover/netcfg";
import { teardownHost } from "../src/commands/teardown-host";
import { createExecutor } from "../src/exec/run-command";
import { createFrrAdapter } from "../src/frr/create-frr-adapter";
import { generateKeyPair } from "../src/host/generate-keys";
import { HostDriver } from "../src/host/host-driver";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { getChildEnv, readAgentEnv } from "../src/env";
import { StateStore } from "../src/state/state-store";
import { TEST_MESH_SETTINGS } from "../test/test-config";

const CHILD_ENV = getChildEnv(readAgentEnv());
/** `--log=FILE`: write the executor's debug log (every command with its duration) there. */
const LOG_FILE = process.argv.find((arg) => arg.startsWith("--log="))?.slice("--log=".length);

const NETNS = `mo-ag-bench-${process.pid}`;
const INNER_FLAG = "--inner";
const BUNDLE = join(import.meta.dirname, "..", "dist", "meshover-agent.mjs");
const SOURCE = join(import.meta.dirname, "..", "src", "cli.ts");

function makePeer(index: number, publicKey: string, endpointSuffix = index): TPeerConfig {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    name: `peer${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd00::${index.toString(16)}`,
    advertisedPrefixes: [],
    publicKey,
    endpoints: [`2001:db8:ffff::${endpointSuffix.toString(16)}`],
    allowedRanges: [],
  };
}

function makeConfig(peers: TPeerConfig[], version: number): TDesiredNodeConfig {
  return {
    version,
    self: {
      id: "00000000-0000-4000-8000-000000000001",
      name: "bench",
      index: 1,
      asn: 4200000001,
      ipv4: "10.128.0.1",
      ipv6: "fd00::1",
      advertisedPrefixes: [],
    },
    peers,
    settings: TEST_MESH_SETTINGS,
    rotation: null,
    routing: DEFAULT_NODE_ROUTING,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function benchApply(dir: string): Promise<void> {
  const logger = LOG_FILE
    ? pino({ level: "debug" }, pino.destination({ dest: LOG_FILE, sync: true }))
    : pino({ level: "silent" });
  const runner = createExecutor(logger, CHILD_ENV);
  for (const peerCount of [5, 20]) {
    const store = new StateStore(join(dir, `state-${peerCount}`));
    store.ensureDir();
    store.writeKeys(await generateKeyPair(runner, null));
    const host = new HostDriver({ runner, logger, store });
    const frr = createFrrAdapter("managed", {
      runner,
      logger,
      store,
      pathspace: `${NETNS}-${peerCount}`,
    });
    const keys = await Promise.all(
      Array.from(
        { length: peerCount + 1 },
        async () => (await generateKeyPair(runner, null)).publicKey,
      ),
    );
    let peers = Array.from({ length: peerCount }, (_, i) => makePeer(i + 2, keys[i] ?? ""));
    let version = 1;
    // As `run` does for a new config version: FRR planned from its known state (see reconcileHost).
    const pass = async (label: string) => {
      const outcome = await reconcileHost({
        config: makeConfig(peers, version++),
        host,
        frr,
        store,
        logger,
        isFullObserve: label === "build",
      });
      if (outcome.error) throw new Error(`${label}: ${outcome.error}`);
      return outcome;
    };
    try {
      const build = await pass("build");
      console.log(
        `${peerCount} peers: initial build ${build.operations.length} operations in ${build.durationMs} ms (includes starting FRR)`,
      );
      const noop: number[] = [];
      const endpoint: number[] = [];
      const add: number[] = [];
      const remove: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        noop.push((await pass("no-op")).durationMs);
        peers = peers.map((peer) =>
          peer.index === 3 ? makePeer(3, peer.publicKey, 1000 + round) : peer,
        );
        endpoint.push((await pass("endpoint")).durationMs);
        peers = [...peers, makePeer(peerCount + 2, keys[peerCount] ?? "")];
        add.push((await pass("add")).durationMs);
        peers = peers.filter((peer) => peer.index !== peerCount + 2);
        remove.push((await pass("remove")).durationMs);
      }
      console.log(
        [
          `${peerCount} peers, one reconcile pass (median of 5, ms):`,
          `no change ${median(noop)}`,
          `one peer's endpoint ${median(endpoint)}`,
          `add one peer (wireguard-go + FRR neighbor) ${median(add)}`,
          `remove one peer ${median(remove)}`,
        ].join("  "),
      );
    } finally {
      await teardownHost({ store, runner, logger, frr, host });
    }
  }
}

/** CPU ticks of the process itself, and with the commands it ran and reaped (vtysh, ip, wg). */
function readCpuTicks(pid: number): { self: number; withChildren: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime, stime, cutime, cstime are fields 14-17 (1-based) of the whole line; 12-15 after "comm) ".
  const self = Number(fields[11]) + Number(fields[12]);
  return { self, withChildren: self + Number(fields[13]) + Number(fields[14]) };
}

function readRssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0);
}

async function benchIdle(dir: string): Promise<void> {
  const runner = createExecutor(pino({ level: "silent" }), CHILD_ENV);
  const stateDir = join(dir, "idle");
  const store = new StateStore(stateDir);
  store.ensureDir();
  const self = await generateKeyPair(runner, null);
  store.writeKeys(self);
  const peers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) =>
      makePeer(i + 2, (await generateKeyPair(runner, null)).publicKey),
    ),
  );
  const config = makeConfig(peers, 1);
  store.writeCachedConfig(config, new Date());
  store.writeIdentity({
    nodeId: config.self.id,
    name: "bench",
    // Unreachable on purpose: the agent runs from its cached config, as in a controller outage.
    controller: "http://[2001:db8:ffff::1]:9",
    credential: "x".repeat(40),
    isHttpAllowed: true,
    pinSha256: null,
    endpoints: [],
  });
  // The bundle is what ships; without one (no `npm run build -w @meshover/agent` yet) the
  // source runs through tsx, which costs more memory: the line below says which.
  const isBundle = existsSync(BUNDLE);
  const agent = spawn(
    "node",
    [
      ...(isBundle ? [BUNDLE] : ["--import", "tsx", SOURCE]),
      "run",
      "--state-dir",
      stateDir,
      "--frr",
      "managed",
      "--frr-pathspace",
      `${NETNS}-idle`,
      "--cleanup-on-exit",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...CHILD_ENV, MESHOVER_LOG_LEVEL: "info" },
    },
  );
  const pid = agent.pid ?? 0;
  let log = "";
  agent.stdout.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  try {
    const deadline = Date.now() + 60_000;
    while (!/"reason":"start".*"msg":"reconciled"/.test(log)) {
      if (Date.now() > deadline || agent.exitCode !== null)
        throw new Error(`agent did not converge:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const ticksPerSecond = Number(
      spawnSync("getconf", ["CLK_TCK"]).stdout.toString().trim() || 100,
    );
    const windowSec = 30;
    const before = readCpuTicks(pid);
    const rss: number[] = [];
    for (let second = 0; second < windowSec; second += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rss.push(readRssKb(pid));
    }
    const after = readCpuTicks(pid);
    const percentOf = (ticks: number) => ((ticks / ticksPerSecond / windowSec) * 100).toFixed(2);
    const cpuSelf = percentOf(after.self - before.self);
    const cpuAll = percentOf(after.withChildren - before.withChildren);
    console.log(
      `idle agent (${isBundle ? "bundle" : "source via tsx"}, 20 peers, managed FRR, resync every 10 s, health every 5 s, controller unreachable): ` +
        `CPU ${cpuSelf} % of one core (${cpuAll} % with the commands it runs) over ${windowSec} s, RSS median ${Math.round(median(rss) / 1024)} MiB (max ${Math.round(Math.max(...rss) / 1024)} MiB)`,
    );
  } finally {
    agent.kill("SIGTERM");
    await new Promise((resolve) => agent.once("exit", resolve));
  }
}

async function runInner(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mo-ag-bench-"));
  try {
    await benchApply(dir);
    if (!LOG_FILE) await benchIdle(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runOuter(): void {
  if (process.getuid?.() !== 0) {
    console.log("apply.bench: skipped (needs root for a network namespace)");
    return;
  }
  const created = spawnSync("ip", ["netns", "add", NETNS], { stdio: "inherit" });
  if (created.status !== 0) throw new Error("ip netns add failed");
  try {
    spawnSync("ip", ["netns", "exec", NETNS, "ip", "link", "set", "lo", "up"], {
      stdio: "inherit",
    });
    // A private /run/wireguard for this namespace's wireguard-go sockets (ip netns exec gives
    // the command its own mount namespace).
    const script = join(mkdtempSync(join(tmpdir(), "mo-ag-bench-run-")), "run.sh");
    writeFileSync(
      script,
      `mkdir -p /run/wireguard && mount -t tmpfs tmpfs /run/wireguard && exec "$@"\n`,
    );
    const inner = spawnSync(
      "ip",
      [
        "netns",
        "exec",
        NETNS,
        "sh",
        script,
        process.execPath,
        ...process.execArgv,
        import.meta.filename,
        INNER_FLAG,
        ...process.argv.filter((arg) => arg.startsWith("--log=")),
      ],
      { stdio: "inherit" },
    );
    rmSync(join(script, ".."), { recursive: true, force: true });
    if (inner.status !== 0) throw new Error(`bench failed (exit ${inner.status})`);
  } finally {
    spawnSync("ip", ["netns", "del", NETNS], { stdio: "inherit" });
  }
}

if (process.argv.includes(INNER_FLAG)) await runInner();
else runOuter();
