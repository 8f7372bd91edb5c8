// The health reporter: on a timer (the mesh's healthIntervalSec), at once after a change
// (without probes), and once more a few seconds later when new sessions are usually up. Each
// report is collected inside the reconcile queue, logs BGP state changes, writes the status file
// for `status`, and is sent to the controller.
import type { THealthReport, TPeerHealth, TRotationTunnel } from "@meshover/netcfg";
import type { TControllerClient } from "../controller/controller-client";
import { isNodeGoneError } from "../controller/controller-client";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import type { ReconcileQueue } from "../reconcile/reconcile-queue";
import type { StateStore } from "../state/state-store";
import type { TIdentity } from "../state/state-files";
import { AGENT_VERSION } from "../version";
import { collectPeerHealth, collectRotationTunnels, readRoutingHealth } from "./collect-health";
import { PeerProbeCache } from "./peer-probes";
import { readHostInfo } from "./read-host-info";

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
}

/** Sends health reports on a timer and after changes. */
export class HealthReporter {
  private readonly probes = new PeerProbeCache();
  private lastBgp = new Map<string, string | null>();
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

  /** Queue one report. */
  report(reason: string, isProbing = true): Promise<void> {
    return this.options.queue.enqueue(() => this.sendNow(reason, isProbing));
  }

  /**
   * After a change: at once without probes (pings to every peer cost a process each, while the
   * whole mesh is busy with the same change), then a probing one when sessions have settled.
   */
  reportChange(): void {
    void this.report("change", false);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.report("settle"), SETTLE_REPORT_MS);
  }

  private async collect(isProbing: boolean): Promise<THealthReport | null> {
    const { store, host, frr, runner, queue, identity } = this.options;
    const keys = store.readKeys();
    if (!keys) return null;
    const wireguard = await host.detectWireguardMode();
    const addressDevice = await host.detectAddressDevice();
    let peers: TPeerHealth[] = [];
    let rotationTunnels: TRotationTunnel[] = [];
    const config = queue.config;
    if (config) {
      const observation = await host.observe([]);
      rotationTunnels = collectRotationTunnels(config, keys, observation);
      const routing = await readRoutingHealth(frr);
      const now = Date.now();
      peers = await collectPeerHealth({
        config,
        observation,
        routing,
        runner,
        probes: this.probes,
        isProbing,
        now,
      });
    }
    const frrVersion = frr ? await frr.readVersion() : null;
    return {
      agentVersion: AGENT_VERSION,
      hostInfo: readHostInfo({
        wireguard,
        frrMode: frr?.mode ?? "none",
        frrVersion,
        addressDevice,
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
      routeCandidates: null,
    };
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

  /** Collect and send one report; call only from inside the queue. */
  async sendNow(reason: string, isProbing: boolean): Promise<void> {
    if (this.isStopped) return;
    const { store, queue, identity, logger } = this.options;
    const health = await this.collect(isProbing);
    if (!health) return;
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
    try {
      await this.options.send(health);
      logger.debug({ reason, peers: health.peers.length }, "health reported");
      this.options.onDelivered();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isNodeGoneError(error)) return this.options.onNodeGone(message);
      logger.warn({ reason, error: message }, "health report failed");
    }
  }
}

/** The report sender of a controller client. */
export function sendReportWith(client: TControllerClient) {
  return (report: THealthReport) => client.agent.report.mutate(report);
}
