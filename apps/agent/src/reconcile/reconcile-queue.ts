// All host work, one task at a time: reconcile passes (on a new config, at start, and on a
// timer to repair drift) and health reports share one queue so they never interleave commands.
// A pass first updates the keys for a rotation (update-rotation-keys.ts); a pass that leaves an
// old tunnel retiring or draining queues another one DRAIN_DELAY_MS later to finish it; a pass
// that failed queues another one soon (RETRY_FIRST_MS, doubling up to RETRY_MAX_MS) instead of
// leaving the tunnel it could not build down until the next resync.
import { isDeepStrictEqual } from "node:util";
import { DRAIN_DELAY_MS, type TDesiredNodeConfig } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import type { RouteSourceWatcher, TSourcesChange } from "../sources/route-source-watcher";
import { reconcileHost, type TReconcileOutcome } from "./reconcile-host";
import { updateRotationKeys } from "./update-rotation-keys";

/** First wait before a failed pass is tried again; it doubles while passes keep failing. */
export const RETRY_FIRST_MS = 1000;
/** Longest wait between tries (the periodic resync comes on top). */
export const RETRY_MAX_MS = 8000;

/** Options of ReconcileQueue. */
export interface TReconcileQueueOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  host: HostDriver;
  frr: TFrrAdapter | null;
  /** Runs inside the queue after a new key was made, before it is applied. */
  onKeyRotated(): Promise<void>;
  /** A pass is about to build (or keep) a rotation's next tunnels (interface names). */
  onRotationTunnels?(devices: string[]): void;
  /** A pass changed something or failed. */
  onChanged(outcome: TReconcileOutcome): void;
  /** Route sources (#14): looked at on every pass; absent in tests that do not need them. */
  sources?: RouteSourceWatcher;
}

/** The serial queue of host work and the state of the last pass. */
export class ReconcileQueue {
  /** The config the agent holds (cached, or the stream's latest). */
  config: TDesiredNodeConfig | null;
  appliedVersion: number | null = null;
  lastOutcome: TReconcileOutcome | null = null;
  /** The config's re-apply request this agent carried out last (reported as reappliedId). */
  reappliedId: string | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private isStopped = false;
  /** A queued config pass that has not started yet (it will read the newest config). */
  private waitingConfigPass: Promise<void> | null = null;
  /** The follow-up pass that retires old tunnels (see DRAIN_DELAY_MS). */
  private drainTimer: NodeJS.Timeout | null = null;
  /** The next try after a failed pass, and how long the one after would wait. */
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = RETRY_FIRST_MS;

  constructor(private readonly options: TReconcileQueueOptions) {
    this.config = options.store.readCachedConfig();
  }

  /** Whether a config pass is queued and has not started (it will apply the newest config). */
  get isConfigPassWaiting(): boolean {
    return this.waitingConfigPass !== null;
  }

  /** Run `task` after every task queued before it (whether those failed or not). */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * Queue a task that must not hold up a config pass (a health report: seconds on a busy host).
   * When its turn comes while a config pass waits behind it, `whenConfigWaits` runs instead,
   * at once (drop the task, or queue it again: it then runs after that pass).
   */
  enqueueBehindConfig(task: () => Promise<void>, whenConfigWaits: () => void): Promise<void> {
    return this.enqueue(() => {
      if (!this.isConfigPassWaiting) return task();
      whenConfigWaits();
      return Promise.resolve();
    });
  }

  /**
   * Take a new config (cached for restarts) and reconcile it. The config the agent holds
   * already (the stream's first event after the join brought it, or after a reconnect) is no
   * news: no pass.
   */
  accept(config: TDesiredNodeConfig): Promise<void> {
    if (this.config?.version === config.version && isDeepStrictEqual(this.config, config)) {
      this.options.logger.debug({ version: config.version }, "config unchanged");
      return Promise.resolve();
    }
    this.config = config;
    this.options.store.writeCachedConfig(config, new Date());
    this.options.logger.info(
      { version: config.version, peers: config.peers.length },
      "config received",
    );
    return this.reconcile("config");
  }

  /**
   * Queue one pass; `reason` "config" plans FRR from its known state (no vtysh read). Configs
   * that arrive while a config pass still waits its turn join that pass (it applies the newest):
   * when N nodes join at once, a node gets N versions in a burst and applies them in one or two
   * passes instead of N.
   */
  reconcile(reason: string): Promise<void> {
    if (reason === "config" && this.waitingConfigPass) return this.waitingConfigPass;
    const pass = this.enqueue(async () => {
      if (reason === "config") this.waitingConfigPass = null;
      const current = this.config;
      if (!current || this.isStopped) return;
      const { store, logger, host, frr } = this.options;
      // Tell the controller first, without slow probes, so peers get the new key while we apply
      // it: the outage lasts one push, not one push plus a health pass.
      const keyUpdate = await updateRotationKeys({
        config: current,
        store,
        runner: this.options.runner,
        logger,
      });
      if (keyUpdate === "made") await this.options.onKeyRotated();
      await this.lookAtSources(current);
      // The admin asked to re-apply: observe everything afresh (FRR too), whatever the reason.
      const reapplyId = current.reapplyId ?? null;
      const isReapply = reapplyId !== null && reapplyId !== this.reappliedId;
      const outcome = await reconcileHost({
        config: current,
        host,
        frr,
        store,
        logger,
        // A config or route-source change plans FRR from its known state (no vtysh read),
        // unless the admin asked to re-apply.
        isFullObserve: (reason !== "config" && reason !== "sources") || isReapply,
        routeHost: this.options.sources?.routeHost,
        onRotationTunnels: (devices) => this.options.onRotationTunnels?.(devices),
      });
      this.reappliedId = reapplyId;
      this.lastOutcome = outcome;
      if (!outcome.error) this.appliedVersion = current.version;
      const isChange = outcome.operations.length > 0 || outcome.error !== null;
      logger[isChange ? "info" : "debug"](
        {
          reason,
          version: current.version,
          operations: outcome.operations.length,
          durationMs: outcome.durationMs,
          error: outcome.error,
        },
        "reconciled",
      );
      if (isReapply)
        logger.info({ reapplyId, operations: outcome.operations.length }, "re-applied");
      // A re-apply is reported at once even when nothing needed fixing: the admin waits for it.
      if (isChange || isReapply) this.options.onChanged(outcome);
      if (outcome.isRetirementPending) this.scheduleDrain();
      if (outcome.error) this.scheduleRetry();
      else this.retryDelayMs = RETRY_FIRST_MS;
    });
    if (reason === "config") this.waitingConfigPass = pass;
    return pass;
  }

  // One pending follow-up at a time; it observes FRR afresh (the old neighbor gone?).
  private scheduleDrain(): void {
    if (this.drainTimer || this.isStopped) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      void this.reconcile("drain");
    }, DRAIN_DELAY_MS);
  }

  /**
   * A failed pass (a `wg set` that found its port taken for a moment, a daemon not up yet) is
   * tried again soon, observing everything afresh; one pending try at a time.
   */
  private scheduleRetry(): void {
    if (this.retryTimer || this.isStopped) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconcile("retry");
    }, delay);
  }

  /**
   * Look at the host's route sources between passes (a short timer): queues a pass when what
   * FRR needs changed. Resolves with what changed (nothing without a config or sources).
   */
  checkSources(): Promise<TSourcesChange> {
    return this.enqueue(async () => {
      const current = this.config;
      if (!current || this.isStopped || !this.options.sources) {
        return { isFrrChanged: false, isCandidatesChanged: false };
      }
      const change = await this.lookAtSources(current);
      if (change.isFrrChanged) void this.reconcile("sources");
      return change;
    });
  }

  private async lookAtSources(current: TDesiredNodeConfig): Promise<TSourcesChange> {
    const unchanged = { isFrrChanged: false, isCandidatesChanged: false };
    if (!this.options.sources) return unchanged;
    try {
      return await this.options.sources.look(current);
    } catch (error) {
      // The pass goes on with what was found last; the next look tries again.
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ error: message }, "route source discovery failed");
      return unchanged;
    }
  }

  /** Refuse new passes and wait for the running one. */
  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.tail;
  }
}
