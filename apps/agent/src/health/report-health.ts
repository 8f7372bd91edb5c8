// The health reporter: on a timer (the mesh's healthIntervalSec), at once after a change
// (without probes), and once more a few seconds later when new sessions are usually up. Each
// report is collected inside the reconcile queue, then (the queue already moved on) logs BGP
// state changes, writes the status file for `status`, and is sent to the controller, in the
// order the reports were collected.
import {
  isEmptyRouteReport,
  isTunnelInterfaceName,
  type THealthReport,
  type TPeerHealth,
  type TRotationTunnel,
  type TRouteObservation,
} from "@meshover/netcfg";
import type { TControllerClient } from "../controller/controller-client";
import { isNodeGoneError } from "../controller/controller-client";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import type { ReconcileQueue } from "../reconcile/reconcile-queue";
import type { StateStore } from "../state/state-store";
import type { TIdentity } from "../state/state-files";
import type { RouteSourceWatcher } from "../sources/route-source-watcher";
import { AGENT_VERSION } from "../version";
import { collectPeerHealth, collectRotationTunnels, readRoutingHealth } from "./collect-health";
import { patchSessions } from "./patch-sessions";
import { DirectPathWatch } from "./watch-direct-paths";
import { PeerProbeCache } from "./peer-probes";
import { readHostInfo } from "./read-host-info";
import { RouteTracker } from "./track-routes";

/** Delay of the extra report after a change, when new BGP sessions have usually come up. */
export const SETTLE_REPORT_MS = 4000;

/** Options of HealthReporter. */
export interface THealthReporterOptions {
  identity: TIdentity;
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  host: HostDriver;
  frr: TFrrAdapter | null;
  queue: ReconcileQueue;
  send(report: THealthReport): Promise<unknown>;
  /** The controller's refusal of this node, if any (nothing is sent then). */
  controllerError(): string | null;
  /** A report went through: the controller answers. */
  onDelivered(): void;
  /** The controller refused the report: the node is gone. */
  onNodeGone(message: string): void;
  /** Route sources: their candidates ride along when they changed (#14). */
  sources?: RouteSourceWatcher;
}

/** Sends health reports on a timer and after changes. */
export class HealthReporter {
  private readonly probes = new PeerProbeCache();
  private readonly paths = new DirectPathWatch();
  private readonly routes = new RouteTracker();
  /** Reports begun so far, and the number of the newest one sent: older ones are dropped. */
  private collectedCount = 0;
  private sentOrder = 0;
  private lastBgp = new Map<string, string | null>();
  /** The newest report sent (the base of a fast routing report). */
  private lastSent: THealthReport | null = null;
  /** Collected reports go out one after another, after the queue let go (see `enqueue`). */
  private sendTail: Promise<void> = Promise.resolve();
  private intervalTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private isStopped = false;

  constructor(private readonly options: THealthReporterOptions) {}

  /** Report every healthIntervalSec (read from the config each time). */
  start(): void {
    const seconds = this.options.queue.config?.settings.healthIntervalSec ?? 5;
    this.intervalTimer = setTimeout(() => {
      void this.report("interval").finally(() => {
        if (!this.isStopped) this.start();
      });
    }, seconds * 1000);
  }

  /** Cancel the timers; a report in the queue still runs but sends nothing. */
  stop(): void {
    this.isStopped = true;
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
  }

  /**
   * Queue one report. A config pass queued behind it goes first: a full collection takes
   * seconds on a busy host (four vtysh reads, a ping per peer), and two of them ahead of a
   * rotation's config held a peer's next tunnels back 3.3 s in the lab. The report then runs
   * after that pass (resolving this promise at once: nothing waits on a deferred report).
   */
  report(reason: string, isProbing = true): Promise<void> {
    return this.enqueue(reason, isProbing, () => void this.report(reason, isProbing));
  }

  /**
   * Collect a report inside the queue and send it once the queue let go: the controller's answer
   * (1–3 s from a busy controller) held up the pass behind a report, such as a peer's next
   * tunnels during a key rotation. Resolves when it was sent (or dropped).
   */
  private enqueue(reason: string, isProbing: boolean, whenConfigWaits: () => void): Promise<void> {
    let sent: Promise<void> = Promise.resolve();
    const collecting = this.options.queue.enqueueBehindConfig(async () => {
      if (this.isStopped) return;
      const order = ++this.collectedCount;
      const collected = await this.collect(isProbing, false);
      if (!collected) return;
      sent = this.sendTail.then(() => this.deliver(reason, order, collected));
      this.sendTail = sent.catch(() => undefined);
    }, whenConfigWaits);
    return collecting.then(() => sent);
  }

  /**
   * After a change: at once without probes (pings to every peer cost a process each, while the
   * whole mesh is busy with the same change), then a probing one when sessions have settled.
   */
  reportChange(): void {
    // While configs arrive in a burst (N nodes joining at once), a config pass waits behind this
    // report: skip it then, so the pass runs now; that pass reports when it changes something,
    // and the settle report below comes in any case.
    void this.enqueue("change", false, () => undefined);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.report("settle"), SETTLE_REPORT_MS);
  }

  /**
   * A BGP or BFD state changed (RoutingWatcher, with the `show bgp neighbors json` text that
   * showed it): report at once and outside the queue, where a timed report may be waiting on
   * pings to the very peer that just died (seconds). Only the sessions changed, so the report is
   * the last one sent with its sessions replaced from that text (patch-sessions.ts): no process
   * runs. Before any report went out, or when the text cannot be read, it is a full collection
   * without probes and routes (only reads the host, so running beside a pass is safe). A report
   * collected before this one and sent after it is dropped (it would undo the news).
   */
  reportRoutingChange(neighborsJson: string): void {
    const { queue } = this.options;
    const patched =
      this.lastSent &&
      patchSessions(this.lastSent, neighborsJson, {
        appliedVersion: queue.appliedVersion,
        applyError: queue.lastOutcome?.error ?? null,
        reappliedId: queue.reappliedId,
      });
    if (!patched || this.isStopped) {
      void this.sendNow("routing", false, { isRoutesSkipped: true });
      return;
    }
    void this.deliver("routing", ++this.collectedCount, { health: patched, routes: null });
  }

  private async collect(isProbing: boolean, isRoutesSkipped: boolean): Promise<TCollected | null> {
    const { store, host, frr, runner, queue, identity } = this.options;
    const keys = store.readKeys();
    if (!keys) return null;
    const wireguard = await host.detectWireguardMode();
    const addressDevice = await host.detectAddressDevice();
    const virtualization = await host.detectVirtualization();
    let peers: TPeerHealth[] = [];
    let rotationTunnels: TRotationTunnel[] = [];
    let routes: TRouteObservation | null = null;
    let observed: THealthReport["observed"];
    const config = queue.config;
    if (config) {
      // Independent reads side by side: a change report is on the cut → red path.
      const [observation, routing, collectedRoutes] = await Promise.all([
        host.observe([]),
        readRoutingHealth(frr),
        isRoutesSkipped ? null : this.routes.observe({ config, frr, runner }),
      ]);
      routes = collectedRoutes;
      rotationTunnels = collectRotationTunnels(config, keys, observation);
      observed = {
        tunnels: observation.host.links
          .map((link) => link.name)
          .filter((name) => isTunnelInterfaceName(name)),
        bgpNeighbors: frr ? [...routing.bgp.keys()] : [],
      };
      const now = Date.now();
      peers = await collectPeerHealth({
        config,
        observation,
        routing,
        runner,
        probes: this.probes,
        isProbing,
        now,
        paths: this.paths,
      });
    }
    const frrVersion = frr ? await frr.readVersion() : null;
    const health: THealthReport = {
      agentVersion: AGENT_VERSION,
      hostInfo: readHostInfo({
        wireguard,
        frrMode: frr?.mode ?? "none",
        frrVersion,
        addressDevice,
        virtualization,
      }),
      endpoints: identity.endpoints,
      publicKey: keys.publicKey,
      rotationId: keys.rotationId,
      nextKey: keys.next?.rotationId
        ? { publicKey: keys.next.publicKey, rotationId: keys.next.rotationId }
        : null,
      rotationTunnels,
      appliedVersion: queue.appliedVersion,
      applyError: queue.lastOutcome?.error ?? null,
      peers,
      routeCandidates: this.options.sources?.takeReportCandidates() ?? null,
      observed,
      reappliedId: queue.reappliedId,
    };
    return { health, routes };
  }

  private logBgpChanges(peers: readonly TPeerHealth[], names: Map<string, string>): void {
    for (const peer of peers) {
      const previous = this.lastBgp.get(peer.interface);
      if (previous === peer.bgpState) continue;
      this.options.logger.info(
        {
          peer: names.get(peer.peerId),
          interface: peer.interface,
          from: previous ?? null,
          to: peer.bgpState,
        },
        "bgp state",
      );
    }
    this.lastBgp = new Map(peers.map((peer) => [peer.interface, peer.bgpState]));
  }

  /** Collect and send one report at once (the queue's reports go through `enqueue`). */
  private async sendNow(
    reason: string,
    isProbing: boolean,
    { isRoutesSkipped = false }: { isRoutesSkipped?: boolean } = {},
  ): Promise<void> {
    if (this.isStopped) return;
    const order = ++this.collectedCount;
    const collected = await this.collect(isProbing, isRoutesSkipped);
    if (!collected) return;
    await this.deliver(reason, order, collected);
  }

  /** Write the status file and send `collected` unless a newer report went out meanwhile. */
  private async deliver(reason: string, order: number, collected: TCollected): Promise<void> {
    const { store, queue, identity, logger } = this.options;
    // A newer report (a routing change, sent while this one probed) already went out.
    if (order < this.sentOrder) return;
    this.sentOrder = order;
    const { health: collectedHealth, routes: observedRoutes } = collected;
    // The route delta against what the controller acknowledged so far (the report before this
    // one has its answer by now); an empty one is left out: the controller keeps its set.
    const pending = observedRoutes ? this.routes.prepare(observedRoutes) : null;
    const routes = pending && !isEmptyRouteReport(pending.report) ? pending : null;
    const health = routes ? { ...collectedHealth, routes: routes.report } : collectedHealth;
    const names = new Map(queue.config?.peers.map((peer) => [peer.id, peer.name]));
    this.logBgpChanges(health.peers, names);
    const controllerError = this.options.controllerError();
    store.writeStatus({
      updatedAt: new Date().toISOString(),
      name: identity.name,
      configVersion: queue.config?.version ?? null,
      appliedVersion: health.appliedVersion,
      applyError: health.applyError,
      controllerError,
      lastReconcileMs: queue.lastOutcome?.durationMs ?? null,
      hostInfo: health.hostInfo,
      peers: health.peers.map((peer) => ({ ...peer, name: names.get(peer.peerId) ?? peer.peerId })),
    });
    // No point reporting for a node the controller has dropped; the stream retry notices a fix.
    if (controllerError !== null) return;
    this.lastSent = health;
    try {
      const answer = await this.options.send(health);
      this.options.sources?.markAccepted(health.routeCandidates);
      if (routes) this.routes.acknowledge(routes, isRoutesResyncAsked(answer));
      logger.debug({ reason, peers: health.peers.length }, "health reported");
      this.options.onDelivered();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.sources?.markFailed();
      if (isNodeGoneError(error)) return this.options.onNodeGone(message);
      logger.warn({ reason, error: message }, "health report failed");
    }
  }
}

/** A report as read from the host, before its route delta is made (at sending). */
interface TCollected {
  health: THealthReport;
  routes: TRouteObservation | null;
}

/** Whether the controller's answer to a report asks for the full route set next time. */
function isRoutesResyncAsked(answer: unknown): boolean {
  return (
    typeof answer === "object" &&
    answer !== null &&
    (answer as { routesResync?: unknown }).routesResync === true
  );
}

/** The report sender of a controller client. */
export function sendReportWith(client: TControllerClient) {
  return (report: THealthReport) => client.agent.report.mutate(report);
}
