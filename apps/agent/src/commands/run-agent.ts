// `meshover-agent run`: the daemon, wired from three parts. The config subscription
// (controller/config-subscription.ts) feeds configs to the reconcile queue
// (reconcile/reconcile-queue.ts), which observes, plans and applies one pass at a time; the
// health reporter (health/report-health.ts) reports on a timer, after every change and, through
// the routing watcher (health/watch-routing.ts: the kernel's route events, then one vtysh read),
// at once when a BGP or BFD state changes. Starts from the cached config when the controller is
// unreachable.
import { runChecked, type TRunner } from "../exec/run-command";
import { createFrrAdapter } from "../frr/create-frr-adapter";
import type { TFrrMode } from "../frr/frr-adapter";
import { STALL_MS, StalledTunnelBouncer } from "../health/bounce-stalled-tunnels";
import { HealthReporter, sendReportWith } from "../health/report-health";
import { RotationReporter, sendRotationWith } from "../health/report-rotation";
import { HandshakeWatch } from "../health/watch-handshakes";
import { RoutingWatcher } from "../health/watch-routing";
import { HostDriver, type THostDriverOptions } from "../host/host-driver";
import { restartHandshakes } from "../host/restart-handshakes";
import type { TLogger } from "../log";
import { ReconcileQueue } from "../reconcile/reconcile-queue";
import type { StateStore } from "../state/state-store";
import { AGENT_VERSION } from "../version";
import { ConfigSubscription } from "../controller/config-subscription";
import { createControllerClient, verifyCertificatePin } from "../controller/controller-client";
import { teardownHost } from "./teardown-host";
import { HandoverRoutes } from "../sources/handover-routes";
import { RouteSourceWatcher } from "../sources/route-source-watcher";

/**
 * How often the agent looks at its host's route sources between passes. With the hysteresis
 * of two sightings, a new pod CIDR or bridge reaches FRR 2–4 s after it appears; addresses on
 * already selected interfaces need no look at all (zebra redistributes them at once).
 */
export const SOURCES_CHECK_MS = 2000;

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
  /** Host seams for tests on a fake host (sysctls, wireguard-go sockets); default: the real host. */
  hostOptions?: Partial<THostDriverOptions>;
  /** Jitter source of the reconnect backoff (tests make it fixed). */
  random?: () => number;
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
  const host = new HostDriver({ runner, logger, store, ...options.hostOptions });
  const pathspace = options.frrPathspace ?? `meshover-${identity.nodeId.slice(0, 8)}`;
  const frr = createFrrAdapter(options.frrMode, { runner, logger, store, pathspace });
  const client = createControllerClient({
    controller: identity.controller,
    credential: () => store.readIdentity()?.credential ?? identity.credential,
    pinSha256: identity.pinSha256,
  });

  const sources = new RouteSourceWatcher({
    runner,
    logger,
    endpoints: () => store.readIdentity()?.endpoints ?? identity.endpoints,
    showFrr: frr ? (command) => frr.show(command) : null,
  });
  const handover = new HandoverRoutes({ runner, logger, frr });
  const queue: ReconcileQueue = new ReconcileQueue({
    store,
    runner,
    logger,
    host,
    frr,
    sources,
    // Not awaited: the pass builds this node's next tunnels while the controller hands the
    // next key to the peers.
    onKeyRotated: () => {
      void rotation.report("next key");
      return Promise.resolve();
    },
    onChanged: () => health.reportChange(),
    // The node with the next key kicks stalled handshakes (watch-handshakes.ts).
    onRotationTunnels: (devices) => handshakes.watch(devices, Boolean(store.readKeys()?.next)),
  });
  const rotation = new RotationReporter({
    store,
    runner,
    logger,
    queue,
    send: sendRotationWith(client),
    controllerError: () => subscription.nodeGoneError,
  });
  const handshakes = new HandshakeWatch({
    readHandshakes: async () =>
      (await runChecked(runner, ["wg", "show", "all", "latest-handshakes"])).stdout,
    onHandshake: (devices) => {
      logger.info({ devices }, "rotation tunnels handshaken");
      void rotation.report("handshake");
    },
    kick: (devices) => restartHandshakes(runner, logger, devices),
  });
  const subscription = new ConfigSubscription({
    nodeId: identity.nodeId,
    logger,
    subscribe: (handlers) =>
      client.agent.config.subscribe(undefined, {
        ...handlers,
        onData: (event) => handlers.onData(event.data),
      }),
    verifyPin: () => verifyCertificatePin(identity.controller, identity.pinSha256),
    currentVersion: () => queue.config?.version ?? null,
    onConfig: (config) => void queue.accept(config),
    nodeGoneRetryMs: options.nodeGoneRetryMs,
    random: options.random,
  });
  const health: HealthReporter = new HealthReporter({
    identity,
    store,
    runner,
    logger,
    host,
    frr,
    queue,
    send: sendReportWith(client),
    controllerError: () => subscription.nodeGoneError,
    onDelivered: () => subscription.resubscribeIfWaiting(),
    onNodeGone: (message) => subscription.refusedElsewhere(message),
    sources,
  });

  if (queue.config) {
    logger.info({ version: queue.config.version }, "starting from cached config");
    void queue.reconcile("start");
  }
  subscription.start();
  const resync = setInterval(() => void queue.reconcile("resync"), options.resyncSec * 1000);
  const sourcesCheck = setInterval(() => {
    void queue.checkSources().then((change) => {
      if (change.isCandidatesChanged) void health.report("sources", false);
      return handover.update(queue.config, sources.candidates);
    });
  }, SOURCES_CHECK_MS);
  health.start();
  // A BGP or BFD change is reported at once, not at the next interval.
  const watcher = frr
    ? new RoutingWatcher({
        frr,
        logger,
        runner,
        onChange: (neighbors) => health.reportRoutingChange(neighbors),
      })
    : null;
  // A tunnel whose session waits for the peer's link-local address for good is bounced (from
  // the watcher's latest read of bgpd's sessions when it has a fresh one).
  const bouncer = frr
    ? new StalledTunnelBouncer({
        runner,
        logger,
        frr,
        serialize: (task) => queue.enqueue(task),
        recentNeighbors: () => watcher?.recentNeighbors(STALL_MS / 2) ?? null,
      })
    : null;
  const stallCheck = setInterval(() => {
    if (bouncer) void bouncer.check().catch(() => undefined);
  }, STALL_MS);
  watcher?.start();

  await options.stopSignal;
  logger.info("stopping");
  clearInterval(resync);
  clearInterval(sourcesCheck);
  clearInterval(stallCheck);
  watcher?.stop();
  health.stop();
  handshakes.stop();
  subscription.stop();
  await queue.stop();
  if (options.isCleanupOnExit) await teardownHost({ store, runner, logger, frr, host });
  logger.info("stopped");
}
