// The config stream, kept alive: subscribe, turn each event (full config or delta) into a full
// config with netcfg's resolveConfigUpdate, check it is for this node and not older, hand it
// on. Reconnects with jittered backoff; after two refusals in a row (node removed, credential
// revoked) it says so once, keeps the data plane and retries slowly until the controller accepts
// the node again (e.g. after set-credential).
import { resolveConfigUpdate, type TDesiredNodeConfig } from "@meshover/netcfg";
import type { TLogger } from "../log";
import { checkConfigFor } from "./check-config";
import { isNodeGoneError } from "./controller-client";

/** Default slow retry after NOT_FOUND / UNAUTHORIZED: nothing changes until an operator acts. */
export const NODE_GONE_RETRY_MS = 60_000;

/**
 * Backoff before reconnect attempt `attempt` (1-based): 1 s doubling to 8 s, ±50 % jitter.
 * The cap stays low because a node without its stream misses mesh changes (new peers, keys);
 * the jitter spreads a fleet's reconnects after a controller restart.
 */
export function getReconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8000, 1000 * 2 ** Math.min(attempt - 1, 3));
  return Math.round(base * (0.5 + random()));
}

/** Callbacks of one stream subscription (the shape of tRPC's subscribe options). */
export interface TStreamHandlers {
  onStarted(): void;
  onData(data: unknown): void;
  onError(error: Error): void;
  onComplete(): void;
  onConnectionStateChange(state: { state: string; error: Error | null }): void;
}

/** Options of ConfigSubscription. */
export interface TConfigSubscriptionOptions {
  nodeId: string;
  logger: TLogger;
  /** Open the stream (controller-client's agent.config.subscribe). */
  subscribe(handlers: TStreamHandlers): { unsubscribe(): void };
  /** Check the controller's certificate pin before each subscription. */
  verifyPin(): Promise<void>;
  /** The version the agent holds (older configs are refused). */
  currentVersion(): number | null;
  /** A new full config for this node. */
  onConfig(config: TDesiredNodeConfig): void;
  nodeGoneRetryMs?: number;
  /** Jitter source (tests make it fixed). */
  random?: () => number;
}

/** The config stream with its backoff and node-gone state. */
export class ConfigSubscription {
  /** Set while the controller refuses this node (NOT_FOUND / UNAUTHORIZED). */
  nodeGoneError: string | null = null;
  private attempt = 0;
  private goneRefusals = 0;
  private subscription: { unsubscribe(): void } | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  // The config this stream delivered last: deltas apply to it (a new stream starts full).
  private streamConfig: TDesiredNodeConfig | null = null;
  private isStopped = false;

  constructor(private readonly options: TConfigSubscriptionOptions) {}

  /**
   * Another call (a health report) was refused: the node is gone. An open stream may outlive
   * its credential, so it is closed and retried slowly: that retry notices a fix.
   */
  refusedElsewhere(message: string): void {
    this.goneRefusals = 1;
    this.scheduleReconnect(message, "refused");
  }

  /** Log once that the controller no longer accepts this node; no automatic teardown. */
  private markNodeGone(message: string): void {
    if (this.nodeGoneError !== null) return;
    this.nodeGoneError = message;
    const retryInSec = Math.round(this.retryMs / 1000);
    const hint = "tunnels are kept; set a new credential with set-credential, or run leave";
    this.options.logger.error(
      { error: message, retryInSec, hint },
      `node removed or credential revoked: ${message}`,
    );
  }

  private get retryMs(): number {
    return this.options.nodeGoneRetryMs ?? NODE_GONE_RETRY_MS;
  }

  /** Subscribe now. */
  start(): void {
    void this.options.verifyPin().then(
      () => this.open(),
      (error: unknown) =>
        this.scheduleReconnect(error instanceof Error ? error.message : String(error)),
    );
  }

  /** The controller answered another call: stop waiting out the backoff. */
  resubscribeIfWaiting(): void {
    if (!this.reconnectTimer || this.isStopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.options.logger.info("controller reachable again, resubscribing");
    this.start();
  }

  /** Close the stream and cancel a pending reconnect. */
  stop(): void {
    this.isStopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.subscription?.unsubscribe();
  }

  private open(): void {
    if (this.isStopped) return;
    const { logger } = this.options;
    this.streamConfig = null;
    this.subscription = this.options.subscribe({
      onStarted: () => logger.info("config stream connected"),
      onData: (data) => {
        this.attempt = 0;
        this.goneRefusals = 0;
        if (this.nodeGoneError !== null) {
          this.nodeGoneError = null;
          logger.info("controller accepts this node again");
        }
        this.accept(data);
      },
      onError: (error) => this.scheduleReconnect(error.message, error),
      onComplete: () => this.scheduleReconnect("stream completed"),
      onConnectionStateChange: (state) => {
        if (state.state === "connecting" && state.error) {
          this.scheduleReconnect(state.error.message, state.error);
        }
      },
    });
  }

  private accept(raw: unknown): void {
    const { logger } = this.options;
    const resolved = resolveConfigUpdate(raw, this.streamConfig);
    if ("error" in resolved) {
      const { error, isResyncNeeded } = resolved;
      logger.error({ error, isResyncNeeded }, "config rejected: nothing applied");
      if (isResyncNeeded) {
        this.streamConfig = null;
        this.scheduleReconnect(`config delta did not apply: ${error}`);
      }
      return;
    }
    this.streamConfig = resolved.config;
    const checked = checkConfigFor(
      resolved.config,
      this.options.nodeId,
      this.options.currentVersion(),
    );
    if ("error" in checked) {
      const level = checked.isStale ? "warn" : "error";
      logger[level]({ error: checked.error }, "config rejected: nothing applied");
      return;
    }
    this.options.onConfig(checked.config);
  }

  private scheduleReconnect(why: string, error: unknown = null): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    if (this.isStopped || this.reconnectTimer) return;
    const { logger } = this.options;
    this.attempt += 1;
    const isRefusal = error === "refused" || isNodeGoneError(error);
    this.goneRefusals = isRefusal ? this.goneRefusals + 1 : 0;
    const attempt = this.attempt;
    let delayMs: number;
    // One refusal can be a race (a controller replica that has not seen the enrollment yet);
    // two in a row are not.
    if (this.goneRefusals >= 2) {
      const isFirst = this.nodeGoneError === null;
      this.markNodeGone(why);
      delayMs = this.retryMs;
      if (!isFirst) logger.debug({ why, attempt, delayMs }, "still refused, retrying slowly");
    } else {
      delayMs = getReconnectDelayMs(attempt, this.options.random);
      logger.warn({ why, attempt, delayMs }, "controller stream down, reconnecting");
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start();
    }, delayMs);
  }
}
