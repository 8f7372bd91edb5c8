// One reconcile pass: observe the host, plan with netcfg, run netcfg's schedule of the plan.
// A failed command stops the pass; the ownership record is persisted step by step so the next
// pass (or `leave`) knows exactly what exists.
import {
  deriveDesiredHost,
  deriveFrrConfig,
  deriveRotationTunnels,
  deriveSysctls,
  describeOperation,
  isRetirementPending as isRetirementPendingFor,
  isTunnelInterfaceName,
  listRoutedTunnels,
  planHost,
  scheduleHostPlan,
  toRotationPlanTunnels,
  type TDesiredNodeConfig,
  type TOperation,
  type TPlanConflict,
  type TRouteHostState,
} from "@meshover/netcfg";
import type { TFrrAdapter } from "../frr/frr-adapter";
import { readRoutingHealth } from "../health/collect-health";
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
  /** An old tunnel is still retiring or draining: run another pass soon (DRAIN_DELAY_MS). */
  isRetirementPending: boolean;
  /** A rotation's next tunnels (interface names). */
  rotationDevices: string[];
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
  /**
   * Called before applying with a rotation's next tunnels (interface names): their handshakes
   * finish the rotation and come right after `wg set`, long before this pass's FRR work ends.
   */
  onRotationTunnels?(devices: string[]): void;
}

/** Observe → plan → apply, once. Never throws: failures come back as `error`. */
export async function reconcileHost(options: TReconcileOptions): Promise<TReconcileOutcome> {
  const { config, host, frr, store, logger } = options;
  const started = performance.now();
  let operations: TOperation[] = [];
  let conflicts: TPlanConflict[] = [];
  let observation: TObservation | null = null;
  let isRetirementPending = false;
  let rotationDevices: string[] = [];
  const finish = (error: string | null): TReconcileOutcome => ({
    version: config.version,
    operations,
    conflicts,
    error,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    observation,
    isRetirementPending,
    rotationDevices,
  });
  let frrStart: Promise<void> = Promise.resolve();
  try {
    const keys = store.readKeys();
    if (!keys) throw new Error("no WireGuard key pair in the state folder (run join first)");
    const nextPublicKey = keys.next?.publicKey ?? null;
    const owned = store.readOwned();
    const ownedTunnels = owned.links.filter(isTunnelInterfaceName);
    // The tunnels the config asks for, before looking at the host: FRR's start-up model and the
    // sysctls to read (old tunnels of a finished rotation are among the owned links).
    const wanted = deriveRotationTunnels({
      config,
      nextPublicKey,
      presentTunnels: [],
      frrNeighbors: [],
      establishedNeighbors: [],
    });
    const logSyslogLevel = frr?.mode === "managed" ? null : "informational";
    // Managed FRR that is not running boots with the complete config (its startup file is
    // rendered from the model), so it needs no FRR operations after: start it while the tunnels
    // are built instead of before (a join's first pass saves the FRR start-up time).
    const isFrrStarting = frr !== null && frr.isStartNeeded();
    // Managed FRR logs to its stdout (the daemon log files); system FRR keeps syslog.
    if (frr)
      frrStart = frr.ensureRunning(
        deriveFrrConfig(config, { tunnels: wanted, logSyslogLevel, routeHost: options.routeHost }),
      );
    const sysctlKeys = Object.keys(
      deriveSysctls([...new Set([...wanted.map((t) => t.interfaceName), ...ownedTunnels])]),
    );
    const addressDevice = await host.detectAddressDevice();
    const [hostObservation, frrObserved] = await Promise.all([
      host.observe(sysctlKeys),
      isFrrStarting ? null : (frr?.observe(options.isFullObserve ?? true) ?? null),
    ]);
    observation = hostObservation;
    const present = hostObservation.host.links
      .map((link) => link.name)
      .filter((name) => ownedTunnels.includes(name));
    const rotationInput = {
      config,
      nextPublicKey,
      presentTunnels: present,
      frrNeighbors: frrObserved?.neighbors ?? [],
      establishedNeighbors: [] as string[],
    };
    let tunnels = deriveRotationTunnels(rotationInput);
    // An old tunnel from a finished rotation: whether it may go depends on the new tunnel's BGP
    // session, so read the session states (only then: it costs a vtysh call).
    // Without FRR (`--frr none`) routing is the admin's: the old tunnel goes at once.
    if (tunnels.some((tunnel) => tunnel.role === "retiring")) {
      rotationInput.establishedNeighbors = frr
        ? [...(await readRoutingHealth(frr)).bgp]
            .filter(([, neighbor]) => neighbor.state === "Established")
            .map(([name]) => name)
        : tunnels.filter((t) => t.role === "current").map((t) => t.interfaceName);
      tunnels = deriveRotationTunnels(rotationInput);
    }
    const routedTunnels = listRoutedTunnels(tunnels);
    const planTunnels = toRotationPlanTunnels(tunnels, {
      publicKey: keys.publicKey,
      nextPublicKey,
    });
    const desired = deriveDesiredHost({
      config,
      tunnels: planTunnels.tunnels,
      keptDevices: planTunnels.keptDevices,
      routedDevices: routedTunnels.map((tunnel) => tunnel.interfaceName),
      publicKey: keys.publicKey,
      addressDevice,
      isFrrManaged: frr !== null,
      routeHost: options.routeHost,
    });
    const frrModel = deriveFrrConfig(config, {
      tunnels: routedTunnels,
      logSyslogLevel,
      routeHost: options.routeHost,
    });
    const frrState = isFrrStarting ? desired.frr : frrObserved;
    isRetirementPending = isRetirementPendingFor(tunnels);
    rotationDevices = tunnels
      .filter((tunnel) => tunnel.role === "next")
      .map((tunnel) => tunnel.interfaceName);
    if (rotationDevices.length > 0) options.onRotationTunnels?.(rotationDevices);
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
      privateKeyFiles: host.privateKeyFiles,
      frrModel: frr ? frrModel : null,
    });
    // Both finish (and record what they made) before the pass ends, even when one fails.
    const [hostResult, frrResult] = await Promise.allSettled([
      runHostSchedule(schedule, host, store),
      frrStart,
    ]);
    if (hostResult.status === "rejected") throw hostResult.reason;
    if (frrResult.status === "rejected") throw frrResult.reason;
    if (frr && schedule.frr) await frr.apply(schedule.frr, desired.frr ?? undefined);
    return finish(null);
  } catch (error) {
    // Never leave an FRR start running into the next pass.
    await frrStart.catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ version: config.version, error: message }, "apply failed");
    return finish(message.slice(0, 4000));
  }
}
