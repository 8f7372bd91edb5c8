// One reconcile pass: observe the host, plan with netcfg, apply through the executor. A
// failed command stops the pass; the ownership record is persisted step by step so the next
// pass (or `leave`) knows exactly what exists.
import {
  deriveDesiredHost,
  deriveFrrConfig,
  deriveTunnels,
  describeOperation,
  planHost,
  toPlanTunnel,
  updateOwnedState,
  type TDesiredHost,
  type TDesiredNodeConfig,
  type TOperation,
  type TPlanConflict,
} from "@meshover/netcfg";
import type { FrrDriver, TFrrOperation } from "../frr/frr-driver";
import type { HostDriver, TObservation } from "../host/host-driver";
import type { TLogger } from "../log";
import type { StateStore, TOwnedRecord } from "../state/state-store";

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
  frr: FrrDriver;
  store: StateStore;
  logger: TLogger;
  /**
   * Read FRR's running config (start, periodic resync). Config-triggered passes plan FRR from
   * what the agent last applied or read, which saves a vtysh round trip per change.
   */
  isFullObserve?: boolean;
}

const FRR_OPERATIONS = new Set(["frr-set-base", "frr-add-neighbor", "frr-remove-neighbor"]);

function isFrrOperation(operation: TOperation): operation is TFrrOperation {
  return FRR_OPERATIONS.has(operation.op);
}

/** The host state this config asks for on this node. */
export async function deriveDesiredForHost(
  config: TDesiredNodeConfig,
  host: HostDriver,
  frr: FrrDriver,
  publicKey: string,
): Promise<TDesiredHost> {
  return deriveDesiredHost({
    config,
    tunnels: deriveTunnels(config).map(toPlanTunnel),
    publicKey,
    addressDevice: await host.detectAddressDevice(),
    isFrrManaged: frr.mode !== "none",
  });
}

/** Observe → plan → apply, once. Never throws: failures come back as `error`. */
export async function reconcileHost(options: TReconcileOptions): Promise<TReconcileOutcome> {
  const { config, host, frr, store, logger } = options;
  const started = performance.now();
  let operations: TOperation[] = [];
  let conflicts: TPlanConflict[] = [];
  let observation: TObservation | null = null;
  let owned: TOwnedRecord = store.readOwned();
  const finish = (error: string | null): TReconcileOutcome => ({
    version: config.version,
    operations,
    conflicts,
    error,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    observation,
  });
  try {
    const keys = store.readKeys();
    if (!keys) throw new Error("no WireGuard key pair in the state folder (run join first)");
    const desired = await deriveDesiredForHost(config, host, frr, keys.publicKey);
    // Managed FRR logs to its stdout (the daemon log files); system FRR keeps syslog.
    const frrModel = deriveFrrConfig(config, {
      logSyslogLevel: frr.mode === "managed" ? null : "informational",
    });
    if (desired.frr) {
      owned = await frr.ensureRunning(owned, frrModel);
      store.writeOwned(owned);
    }
    const [hostObservation, frrState] = await Promise.all([
      host.observe(Object.keys(desired.sysctls)),
      frr.observe(options.isFullObserve ?? true),
    ]);
    observation = hostObservation;
    const observed = { ...hostObservation.host, frr: frrState };
    const plan = planHost({
      observed,
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
    const frrOperations: TFrrOperation[] = [];
    for (const operation of operations) {
      if (isFrrOperation(operation)) {
        frrOperations.push(operation);
        continue;
      }
      const after = updateOwnedState(owned, operation);
      const isAdding = operation.op === "link-create" || operation.op === "address-add";
      if (isAdding) {
        // Record the intent first: a crash mid-create still leaves a record to clean up.
        owned = { ...owned, links: after.links, addresses: after.addresses };
        store.writeOwned(owned);
      }
      try {
        owned = await host.apply(operation, owned);
      } finally {
        store.writeOwned(owned);
      }
      if (!isAdding) {
        owned = { ...owned, links: after.links, addresses: after.addresses };
        store.writeOwned(owned);
      }
    }
    if (desired.frr && frrOperations.length > 0) {
      await frr.apply(frrOperations, frrModel, desired.frr);
    }
    return finish(null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ version: config.version, error: message }, "apply failed");
    store.writeOwned(owned);
    return finish(message.slice(0, 4000));
  }
}
