// One reconcile pass: observe the host, plan with netcfg, run netcfg's schedule of the plan.
// A failed command stops the pass; the ownership record is persisted step by step so the next
// pass (or `leave`) knows exactly what exists.
import {
  deriveDesiredHost,
  deriveFrrConfig,
  deriveTunnels,
  describeOperation,
  planHost,
  scheduleHostPlan,
  toPlanTunnel,
  type TDesiredNodeConfig,
  type TOperation,
  type TPlanConflict,
  type TRouteHostState,
} from "@meshover/netcfg";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { HostDriver, TObservation } from "../host/host-driver";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import { runHostSchedule } from "./run-schedule";

/** The outcome of one pass. */
export interface TReconcileOutcome {
  version: number;
  operations: TOperation[];
  conflicts: TPlanConflict[];
  error: string | null;
  durationMs: number;
  /** The observation the plan was computed from (for health reports). */
  observation: TObservation | null;
}

/** Options of reconcileHost. */
export interface TReconcileOptions {
  config: TDesiredNodeConfig;
  host: HostDriver;
  /** null: FRR is not managed (`--frr none`). */
  frr: TFrrAdapter | null;
  store: StateStore;
  logger: TLogger;
  /**
   * Read FRR's running config (start, periodic resync). Config-triggered passes plan FRR from
   * what the agent last read, which saves a vtysh round trip per change.
   */
  isFullObserve?: boolean;
  /** What route sources found on the host (interfaces, pod CIDRs, refusals); none by default. */
  routeHost?: TRouteHostState;
}

/** Observe → plan → apply, once. Never throws: failures come back as `error`. */
export async function reconcileHost(options: TReconcileOptions): Promise<TReconcileOutcome> {
  const { config, host, frr, store, logger } = options;
  const started = performance.now();
  let operations: TOperation[] = [];
  let conflicts: TPlanConflict[] = [];
  let observation: TObservation | null = null;
  const finish = (error: string | null): TReconcileOutcome => ({
    version: config.version,
    operations,
    conflicts,
    error,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    observation,
  });
  let frrStart: Promise<void> = Promise.resolve();
  try {
    const keys = store.readKeys();
    if (!keys) throw new Error("no WireGuard key pair in the state folder (run join first)");
    const desired = deriveDesiredHost({
      config,
      tunnels: deriveTunnels(config).map(toPlanTunnel),
      publicKey: keys.publicKey,
      addressDevice: await host.detectAddressDevice(),
      isFrrManaged: frr !== null,
      routeHost: options.routeHost,
    });
    // Managed FRR logs to its stdout (the daemon log files); system FRR keeps syslog.
    const frrModel = deriveFrrConfig(config, {
      logSyslogLevel: frr?.mode === "managed" ? null : "informational",
      routeHost: options.routeHost,
    });
    // Managed FRR that is not running boots with the complete config (its startup file is
    // rendered from frrModel), so it needs no FRR operations after: start it while the tunnels
    // are built instead of before (a join's first pass saves the FRR start-up time).
    const isFrrStarting = frr !== null && frr.isStartNeeded();
    if (frr) frrStart = frr.ensureRunning(frrModel);
    const [hostObservation, frrState] = await Promise.all([
      host.observe(Object.keys(desired.sysctls)),
      isFrrStarting ? desired.frr : (frr?.observe(options.isFullObserve ?? true) ?? null),
    ]);
    observation = hostObservation;
    const owned = store.readOwned();
    const plan = planHost({
      observed: { ...hostObservation.host, frr: frrState },
      desired,
      owned: { links: owned.links, addresses: owned.addresses },
    });
    operations = plan.operations;
    conflicts = plan.conflicts;
    for (const conflict of conflicts)
      logger.warn(conflict, "not touching a link meshover does not own");
    if (operations.length > 0) {
      logger.info(
        { version: config.version, operations: operations.map(describeOperation) },
        "applying plan",
      );
    }
    const schedule = scheduleHostPlan(operations, {
      wireguardMode: await host.detectWireguardMode(),
      privateKeyFile: host.privateKeyFile,
      frrModel: frr ? frrModel : null,
    });
    // Both finish (and record what they made) before the pass ends, even when one fails.
    const [hostResult, frrResult] = await Promise.allSettled([
      runHostSchedule(schedule, host, store),
      frrStart,
    ]);
    if (hostResult.status === "rejected") throw hostResult.reason;
    if (frrResult.status === "rejected") throw frrResult.reason;
    if (frr && schedule.frr) await frr.apply(schedule.frr);
    return finish(null);
  } catch (error) {
    // Never leave an FRR start running into the next pass.
    await frrStart.catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ version: config.version, error: message }, "apply failed");
    return finish(message.slice(0, 4000));
  }
}
