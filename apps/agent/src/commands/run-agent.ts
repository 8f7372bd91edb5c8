// `meshover-agent run`: the daemon. Subscribes to the config stream; on each version (and
// periodically, to repair drift) observes, plans and applies; reports health on a timer and
// after every change. Starts from the cached config when the controller is unreachable.
import { type TDesiredNodeConfig, type THealthReport, type TPeerHealth } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import { FrrDriver, type TFrrMode } from "../frr/frr-driver";
import { collectPeerHealth, PeerProbeCache, readRoutingHealth } from "../health/collect-health";
import { readHostInfo } from "../health/read-host-info";
import { generateKeyPair } from "../host/generate-keys";
import { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import { checkConfigFor, resolveConfigUpdate } from "../reconcile/validate-config";
import { reconcileHost, type TReconcileOutcome } from "../reconcile/reconcile-host";
import type { StateStore } from "../state/state-store";
import { AGENT_VERSION } from "../version";
import {
  createControllerClient,
  isNodeGoneError,
  verifyCertificatePin,
} from "../controller/controller-client";
import { teardownHost } from "./teardown-host";

/** Options of runAgent. */
export interface TRunAgentOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  frrMode: TFrrMode;
  /** FRR path space for managed mode (default: meshover-<first 8 of node id>). */
  frrPathspace: string | null;
  /** Seconds between drift-repair passes. */
  resyncSec: number;
  /** Tear down everything the agent created when it stops (lab/tests; off in production). */
  isCleanupOnExit: boolean;
  /** Resolves when the agent should stop (signals). */
  stopSignal: Promise<void>;
  /** Retry delay once the controller says the node is removed or its credential revoked. */
  nodeGoneRetryMs?: number;
}

/** Default slow retry after NOT_FOUND / UNAUTHORIZED: nothing changes until an operator acts. */
export const NODE_GONE_RETRY_MS = 60_000;

/** Delay of the extra report after a change, when new BGP sessions have usually come up. */
const SETTLE_REPORT_MS = 4000;

/**
 * Backoff before reconnect attempt `attempt` (1-based): 1 s doubling to 8 s, ±50 % jitter.
 * The cap stays low because a node without its stream misses mesh changes (new peers, keys);
 * the jitter spreads a fleet's reconnects after a controller restart.
 */
export function getReconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8000, 1000 * 2 ** Math.min(attempt - 1, 3));
  return Math.round(base * (0.5 + random()));
}

/** Run the daemon until `stopSignal` resolves. */
export async function runAgent(options: TRunAgentOptions): Promise<void> {
  const { store, runner, logger } = options;
  const identity = store.readIdentity();
  if (!identity || !store.readKeys())
    throw new Error(`not joined: no identity in ${store.dir} (run join first)`);
  logger.info(
    { version: AGENT_VERSION, node: identity.name, controller: identity.controller },
    "agent starting",
  );
  const host = new HostDriver({ runner, logger, store });
  const frr = new FrrDriver({
    mode: options.frrMode,
    runner,
    logger,
    store,
    pathspace: options.frrPathspace ?? `meshover-${identity.nodeId.slice(0, 8)}`,
  });
  const probes = new PeerProbeCache();
  let config: TDesiredNodeConfig | null = store.readCachedConfig();
  let appliedVersion: number | null = null;
  let lastError: string | null = null;
  let lastOutcome: TReconcileOutcome | null = null;
  let lastBgp = new Map<string, string | null>();
  let isStopping = false;
  let settleTimer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  // Set while the controller answers NOT_FOUND / UNAUTHORIZED: the data plane is kept (an
  // operator may rotate the credential with set-credential) and the stream retries slowly.
  let nodeGoneError: string | null = null;
  const nodeGoneRetryMs = options.nodeGoneRetryMs ?? NODE_GONE_RETRY_MS;

  /** Log once that the controller no longer accepts this node; no automatic teardown. */
  const markNodeGone = (message: string) => {
    if (nodeGoneError !== null) return;
    nodeGoneError = message;
    logger.error(
      {
        error: message,
        retryInSec: Math.round(nodeGoneRetryMs / 1000),
        hint: "tunnels are kept; set a new credential with set-credential, or run leave",
      },
      `node removed or credential revoked: ${message}`,
    );
  };
  /** The controller accepts this node again (e.g. after set-credential). */
  const clearNodeGone = () => {
    if (nodeGoneError === null) return;
    nodeGoneError = null;
    logger.info("controller accepts this node again");
  };

  const client = createControllerClient({
    controller: identity.controller,
    credential: () => store.readIdentity()?.credential ?? identity.credential,
  });

  /** Serialise all host work: one reconcile or health pass at a time. */
  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };

  const reconcile = (reason: string) =>
    enqueue(async () => {
      if (!config || isStopping) return;
      const current = config;
      if (await rotateKeyIfAsked(current)) {
        // Tell the controller first, without slow probes, so peers get the new key while we
        // apply it: the outage lasts one push, not one push plus a health pass.
        await sendReport("rotation", false);
      }
      const outcome = await reconcileHost({
        config: current,
        host,
        frr,
        store,
        logger,
        isFullObserve: reason !== "config",
      });
      lastOutcome = outcome;
      lastError = outcome.error;
      if (!outcome.error) appliedVersion = current.version;
      const level = outcome.operations.length > 0 || outcome.error ? "info" : "debug";
      logger[level](
        {
          reason,
          version: current.version,
          operations: outcome.operations.length,
          durationMs: outcome.durationMs,
          error: outcome.error,
        },
        "reconciled",
      );
      if (outcome.operations.length > 0 || outcome.error) {
        // At once, without probes (pings to every peer cost a process each, while the whole
        // mesh is busy with the same change); the settle report a few seconds later probes.
        void report("change", false);
        // Sessions on new tunnels come up a few seconds later: report that change too.
        if (settleTimer) clearTimeout(settleTimer);
        settleTimer = setTimeout(() => void report("settle"), SETTLE_REPORT_MS);
      }
    });

  /** Make a new key pair when the config asks for a rotation we have not done; true if made. */
  const rotateKeyIfAsked = async (current: TDesiredNodeConfig): Promise<boolean> => {
    const keys = store.readKeys();
    if (!current.rotation || !keys || keys.rotationId === current.rotation.id) return false;
    const next = await generateKeyPair(runner, current.rotation.id);
    store.writeKeys(next);
    logger.info(
      { rotationId: current.rotation.id, publicKey: next.publicKey },
      "rotated WireGuard key",
    );
    return true;
  };

  const collect = async (isProbing: boolean): Promise<THealthReport | null> => {
    const keys = store.readKeys();
    if (!keys) return null;
    const wireguard = await host.detectWireguardMode();
    const addressDevice = await host.detectAddressDevice();
    let peers: TPeerHealth[] = [];
    if (config) {
      const observation = await host.observe([]);
      const routing = await readRoutingHealth(frr);
      peers = await collectPeerHealth({
        config,
        observation,
        routing,
        runner,
        probes,
        isProbing,
        now: Date.now(),
      });
    }
    return {
      agentVersion: AGENT_VERSION,
      hostInfo: readHostInfo({
        wireguard,
        frrMode: frr.mode,
        frrVersion: await frr.readVersion(),
        addressDevice,
      }),
      endpoints: identity.endpoints,
      publicKey: keys.publicKey,
      rotationId: keys.rotationId,
      appliedVersion,
      applyError: lastError,
      peers,
    };
  };

  /** Collect and send one health report; call only from inside the queue. */
  const sendReport = async (reason: string, isProbing: boolean) => {
    if (isStopping) return;
    const health = await collect(isProbing);
    if (!health) return;
    const names = new Map(config?.peers.map((peer) => [peer.id, peer.name]));
    for (const peer of health.peers) {
      const previous = lastBgp.get(peer.interface);
      if (previous !== peer.bgpState) {
        logger.info(
          {
            peer: names.get(peer.peerId),
            interface: peer.interface,
            from: previous ?? null,
            to: peer.bgpState,
          },
          "bgp state",
        );
      }
    }
    lastBgp = new Map(health.peers.map((peer) => [peer.interface, peer.bgpState]));
    store.writeStatus({
      updatedAt: new Date().toISOString(),
      name: identity.name,
      configVersion: config?.version ?? null,
      appliedVersion,
      applyError: lastError,
      controllerError: nodeGoneError,
      lastReconcileMs: lastOutcome?.durationMs ?? null,
      hostInfo: health.hostInfo,
      peers: health.peers.map((peer) => ({
        ...peer,
        name: names.get(peer.peerId) ?? peer.peerId,
      })),
    });
    // No point reporting for a node the controller has dropped; the stream retry notices a fix.
    if (nodeGoneError !== null) return;
    try {
      await client.agent.report.mutate(health);
      logger.debug({ reason, peers: health.peers.length }, "health reported");
      // The controller answers again: resubscribe now instead of waiting out the backoff.
      if (reconnectTimer && !isStopping) {
        clearTimeout(reconnectTimer);
        reconnectTimer = null;
        logger.info("controller reachable again, resubscribing");
        subscribe();
      }
    } catch (error) {
      if (isNodeGoneError(error)) {
        markNodeGone(error instanceof Error ? error.message : String(error));
        return;
      }
      logger.warn(
        { reason, error: error instanceof Error ? error.message : String(error) },
        "health report failed",
      );
    }
  };

  const report = (reason: string, isProbing = true) => enqueue(() => sendReport(reason, isProbing));

  // The config this stream delivered last: deltas apply to it (a new stream starts with a full one).
  let streamConfig: TDesiredNodeConfig | null = null;
  const acceptConfig = (raw: unknown) => {
    const resolved = resolveConfigUpdate(raw, streamConfig);
    if ("error" in resolved) {
      logger.error(
        { error: resolved.error, isResyncNeeded: resolved.isResyncNeeded },
        "config rejected: nothing applied",
      );
      if (resolved.isResyncNeeded) {
        streamConfig = null;
        scheduleReconnect(`config delta did not apply: ${resolved.error}`);
      }
      return;
    }
    streamConfig = resolved.config;
    // Parsed (and a delta applied) once above; here only whose and how new it is.
    const checked = checkConfigFor(resolved.config, identity.nodeId, config?.version ?? null);
    if ("error" in checked) {
      logger[checked.isStale ? "warn" : "error"](
        { error: checked.error },
        "config rejected: nothing applied",
      );
      return;
    }
    const next = checked.config;
    config = next;
    store.writeCachedConfig(next, new Date());
    logger.info({ version: next.version, peers: next.peers.length }, "config received");
    void reconcile("config");
  };

  // Subscription with our own jittered backoff (the link's EventSource retry is bypassed).
  let attempt = 0;
  let goneRefusals = 0;
  let subscription = null as { unsubscribe(): void } | null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  const scheduleReconnect = (why: string, error: unknown = null) => {
    subscription?.unsubscribe();
    subscription = null;
    if (isStopping || reconnectTimer) return;
    attempt += 1;
    goneRefusals = isNodeGoneError(error) ? goneRefusals + 1 : 0;
    let delay: number;
    // One refusal can be a race (a controller replica that has not seen the enrollment yet);
    // two in a row are not.
    if (goneRefusals >= 2) {
      const isFirst = nodeGoneError === null;
      markNodeGone(why);
      delay = nodeGoneRetryMs;
      if (!isFirst)
        logger.debug({ why, attempt, delayMs: delay }, "still refused, retrying slowly");
    } else {
      delay = getReconnectDelayMs(attempt);
      logger.warn({ why, attempt, delayMs: delay }, "controller stream down, reconnecting");
    }
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      subscribe();
    }, delay);
  };
  const subscribe = () => {
    void verifyCertificatePin(identity.controller, identity.pinSha256).then(
      () => {
        if (isStopping) return;
        streamConfig = null;
        subscription = client.agent.config.subscribe(undefined, {
          onStarted: () =>
            logger.info({ controller: identity.controller }, "config stream connected"),
          onData: (event) => {
            attempt = 0;
            goneRefusals = 0;
            clearNodeGone();
            acceptConfig(event.data);
          },
          onError: (error) => scheduleReconnect(error.message, error),
          onComplete: () => scheduleReconnect("stream completed"),
          onConnectionStateChange: (state) => {
            if (state.state === "connecting" && state.error) {
              scheduleReconnect(state.error.message, state.error);
            }
          },
        });
      },
      (error: unknown) => scheduleReconnect(error instanceof Error ? error.message : String(error)),
    );
  };

  if (config) {
    logger.info({ version: config.version }, "starting from cached config");
    void reconcile("start");
  }
  subscribe();

  const resync = setInterval(() => void reconcile("resync"), options.resyncSec * 1000);
  let healthTimer: NodeJS.Timeout | null = null;
  const scheduleHealth = () => {
    const seconds = config?.settings.healthIntervalSec ?? 5;
    healthTimer = setTimeout(() => {
      void report("interval").finally(scheduleHealth);
    }, seconds * 1000);
  };
  scheduleHealth();

  await options.stopSignal;
  isStopping = true;
  logger.info("stopping");
  clearInterval(resync);
  if (healthTimer) clearTimeout(healthTimer);
  if (settleTimer) clearTimeout(settleTimer);
  if (reconnectTimer) clearTimeout(reconnectTimer);
  subscription?.unsubscribe();
  await queue;
  if (options.isCleanupOnExit) {
    await teardownHost({ store, runner, logger, frr, host });
  }
  logger.info("stopped");
}
