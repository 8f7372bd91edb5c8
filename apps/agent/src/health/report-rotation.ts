// A key rotation waits on two facts from the agents: the rotating node's next key (every peer
// then builds a tunnel to it) and each pair's first handshake over its rotation tunnel (the last
// one finishes the rotation). A health report carries both, but collecting one reads FRR, which
// takes seconds on a busy host; this sends them alone (`agent.reportRotation`), at once and
// outside the reconcile queue: it only reads `wg show all dump` and the state files.
import type { TRotationReport } from "@meshover/netcfg";
import type { TControllerClient } from "../controller/controller-client";
import type { TRunner } from "../exec/run-command";
import { toWireguardDump } from "../host/observe-host";
import type { TLogger } from "../log";
import type { ReconcileQueue } from "../reconcile/reconcile-queue";
import type { StateStore } from "../state/state-store";
import { collectRotationTunnels } from "./collect-health";

/** Options of RotationReporter. */
export interface TRotationReporterOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  queue: Pick<ReconcileQueue, "config">;
  send(report: TRotationReport): Promise<unknown>;
  /** The controller's refusal of this node, if any (nothing is sent then). */
  controllerError(): string | null;
}

/** Sends a running rotation's progress the moment it changes; see the file comment. */
export class RotationReporter {
  constructor(private readonly options: TRotationReporterOptions) {}

  /** Collect and send now (failures are logged: the next health report carries the same). */
  report(reason: string): Promise<void> {
    return this.sendNow(reason).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ reason, error: message }, "rotation report failed");
    });
  }

  private async sendNow(reason: string): Promise<void> {
    const { store, runner, queue, logger } = this.options;
    const keys = store.readKeys();
    const config = queue.config;
    if (!keys || !config || this.options.controllerError() !== null) return;
    const dump = await runner.run(["wg", "show", "all", "dump"], { isSecret: true });
    const wireguard = toWireguardDump(dump.code === 0 ? dump.stdout : "");
    const report: TRotationReport = {
      nextKey: keys.next?.rotationId
        ? { publicKey: keys.next.publicKey, rotationId: keys.next.rotationId }
        : null,
      rotationTunnels: collectRotationTunnels(config, keys, { wireguard }),
    };
    if (!report.nextKey && report.rotationTunnels.length === 0) return;
    await this.options.send(report);
    logger.debug(
      { reason, tunnels: report.rotationTunnels.length, hasNextKey: report.nextKey !== null },
      "rotation reported",
    );
  }
}

/** The rotation report sender of a controller client. */
export function sendRotationWith(client: TControllerClient) {
  return (report: TRotationReport) => client.agent.reportRotation.mutate(report);
}
