// Change fan-out: every mesh change bumps Setting.meshVersion and NOTIFYs `meshover_mesh` in
// the same transaction; every controller process LISTENs on its own pg connection and wakes the
// config subscriptions of the agents connected to it. Health reports are announced the same
// way on a second channel, for the dashboard's live views (topology, node pages). Within one process the committing code
// also publishes directly, which is all the embedded PGlite socket offers (it does not forward
// notifications), so a single embedded controller still pushes at once. A slow poll of
// meshVersion covers notifications lost while the LISTEN connection reconnects.
import pg from "pg";
import { getPgPool, type TPrismaClient } from "@meshover/prisma";

/** The Postgres channel mesh changes are announced on (payload: the new meshVersion). */
export const MESH_CHANNEL = "meshover_mesh";

/** The Postgres channel health reports are announced on (payload: the reporting node's id). */
export const REPORT_CHANNEL = "meshover_report";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RECONNECT_MS = 1000;
const PROBE_TIMEOUT_MS = 1500;

/** How a fan-out learns about changes made by other processes. */
export type TFanoutMode = "in-process" | "listen" | "poll";

/** Options for {@link MeshFanout.start}. */
export interface TStartFanoutOptions {
  /** postgres:// URL for the dedicated LISTEN connection. */
  url: string;
  /** Poll interval while NOTIFY works (safety net) and while it does not (the only signal). */
  pollMs?: { listening: number; fallback: number };
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

/** One controller instance's view of the mesh version, and its waiting subscribers. */
export class MeshFanout {
  private version = 0n;
  private waiters = new Set<() => void>();
  private reportListeners = new Set<(nodeId: string) => void>();
  private client: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private isStopped = false;
  private options: TStartFanoutOptions | null = null;
  private probeToken: string | null = null;
  private probeResolve: (() => void) | null = null;
  /** How changes from other processes arrive right now. */
  mode: TFanoutMode = "in-process";

  constructor(private readonly db: TPrismaClient) {}

  /** The newest mesh version this process knows of. */
  get latestVersion(): bigint {
    return this.version;
  }

  /** Number of subscriptions waiting for a change (metrics, tests). */
  get waiterCount(): number {
    return this.waiters.size;
  }

  /** Record that `version` exists and wake every subscription waiting for something newer. */
  publish(version: bigint): void {
    if (version <= this.version) return;
    this.version = version;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Tell this process's dashboard watchers that `nodeId` reported. Reports do not bump the mesh
   * version (agents need not hear of them); only live views listen.
   */
  publishReport(nodeId: string): void {
    for (const listener of [...this.reportListeners]) listener(nodeId);
  }

  /** Call `listener` with the node id of every report from now on; returns the unsubscribe. */
  onReport(listener: (nodeId: string) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /** Number of live views listening for reports (metrics, tests). */
  get reportListenerCount(): number {
    return this.reportListeners.size;
  }

  /** Read meshVersion from the database and publish it (after reconnects, and when polling). */
  async refresh(): Promise<bigint> {
    const row = await this.db.setting.findUnique({
      where: { id: 1 },
      select: { meshVersion: true },
    });
    if (row) this.publish(row.meshVersion);
    return this.version;
  }

  /** Resolve once a version newer than `version` is known, or when `signal` aborts. */
  waitForVersionAfter(version: bigint, signal?: AbortSignal): Promise<void> {
    if (this.version > version || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** LISTEN on a dedicated connection (reconnecting) and start the safety-net poll. */
  async start(options: TStartFanoutOptions): Promise<void> {
    this.options = options;
    this.isStopped = false;
    await this.refresh();
    await this.connect();
  }

  /** Close the LISTEN connection and stop polling. */
  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pollTimer = null;
    this.reconnectTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private log(level: "info" | "warn", message: string, fields?: Record<string, unknown>) {
    this.options?.log?.(level, message, fields);
  }

  /**
   * Log one compile of the mesh (once per version per process): how many versions a burst of
   * changes cost and how long each took, for the cold-mesh phase table and operators.
   */
  recordCompile(version: bigint, nodes: number, ms: number): void {
    this.log("info", "mesh compiled", {
      version: Number(version),
      nodes,
      ms: Math.round(ms),
      subscribers: this.waiters.size,
    });
  }

  private schedulePoll() {
    if (this.pollTimer) clearInterval(this.pollTimer);
    const pollMs = this.options?.pollMs ?? { listening: 10_000, fallback: 1000 };
    const every = this.mode === "listen" ? pollMs.listening : pollMs.fallback;
    this.pollTimer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.log("warn", "mesh version poll failed", { error: String(error) }),
      );
    }, every);
    this.pollTimer.unref();
  }

  private async connect(): Promise<void> {
    if (this.isStopped || !this.options) return;
    const client = new pg.Client({ connectionString: this.options.url });
    client.on("notification", (message) => this.onNotification(message));
    client.on("error", (error) => {
      this.log("warn", "LISTEN connection failed; reconnecting", { error: error.message });
      this.reconnect(client);
    });
    client.on("end", () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${MESH_CHANNEL}`);
      await client.query(`LISTEN ${REPORT_CHANNEL}`);
      this.client = client;
      this.mode = (await this.probe()) ? "listen" : "poll";
      if (this.mode === "poll") {
        this.log("warn", "database does not deliver NOTIFY (embedded PGlite?): polling instead");
      }
      // Catch up on anything committed while we were not listening.
      await this.refresh();
    } catch (error) {
      this.log("warn", "cannot LISTEN for mesh changes; retrying", { error: String(error) });
      this.mode = "poll";
      this.reconnect(client);
    }
    this.schedulePoll();
  }

  // NOTIFY from another connection (the Prisma pool, where changes commit) and see whether the
  // LISTEN connection hears it: a real Postgres delivers it; a proxy or the embedded PGlite
  // socket may not, and then polling is the signal.
  private async probe(): Promise<boolean> {
    const token = `probe:${Math.random().toString(36).slice(2)}`;
    this.probeToken = token;
    const delivered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      this.probeResolve = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    await this.db.$executeRaw`SELECT pg_notify(${MESH_CHANNEL}, ${token})`;
    const isDelivered = await delivered;
    this.probeToken = null;
    this.probeResolve = null;
    return isDelivered;
  }

  private onNotification(message: pg.Notification) {
    const payload = message.payload ?? "";
    if (message.channel === REPORT_CHANNEL) {
      // Another process ingested it (or this one: its listeners then hear it twice, and live
      // views coalesce wake-ups anyway).
      if (UUID.test(payload)) this.publishReport(payload);
      return;
    }
    if (payload === this.probeToken) {
      this.probeResolve?.();
      return;
    }
    if (/^\d+$/.test(payload)) this.publish(BigInt(payload));
  }

  private reconnect(client: pg.Client) {
    if (this.client === client) this.client = null;
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    if (this.isStopped || this.reconnectTimer) return;
    this.mode = "poll";
    this.schedulePoll();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }
}

const REGISTRY_KEY = Symbol.for("meshover.fanout");
type TGlobalWithFanouts = typeof globalThis & {
  [REGISTRY_KEY]?: WeakMap<TPrismaClient, MeshFanout>;
};

/**
 * The fan-out of the controller instance that owns `db` (one per Prisma client). Kept on
 * globalThis because Next's server bundle and the custom server load this module separately.
 */
export function getMeshFanout(db: TPrismaClient): MeshFanout {
  const holder = globalThis as TGlobalWithFanouts;
  holder[REGISTRY_KEY] ??= new WeakMap();
  let fanout = holder[REGISTRY_KEY].get(db);
  if (!fanout) {
    fanout = new MeshFanout(db);
    holder[REGISTRY_KEY].set(db, fanout);
  }
  return fanout;
}

/**
 * Announce that `nodeId`'s report is stored: this process's live views at once, other
 * controller processes through NOTIFY (their LISTEN connection hears it).
 */
export async function announceReport(db: TPrismaClient, nodeId: string): Promise<void> {
  getMeshFanout(db).publishReport(nodeId);
  // On the pool, not through Prisma: this runs for every report (hundreds a second).
  await getPgPool(db).query("SELECT pg_notify($1, $2)", [REPORT_CHANNEL, nodeId]);
}
