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
import {
  isIpOperation,
  isWireguardOperation,
  type HostDriver,
  type TIpOperation,
  type TObservation,
  type TWireguardOperation,
} from "../host/host-driver";
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

/** Tunnels built side by side at most (each may start a wireguard-go and wait for it). */
const DEVICE_CONCURRENCY = 8;

/** Run `tasks` with at most `limit` at once; every task runs, the first error is thrown. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/**
 * The plan's host operations in the order to run them: one list per device (its operations in
 * plan order; devices are independent, so the lists run side by side), then the operations on
 * no device (sysctls), in plan order after every device is done.
 */
function groupByDevice(operations: readonly TOperation[]) {
  const byDevice = new Map<string, TOperation[]>();
  const global: TOperation[] = [];
  for (const operation of operations) {
    if (!("device" in operation)) {
      global.push(operation);
      continue;
    }
    const list = byDevice.get(operation.device) ?? [];
    list.push(operation);
    byDevice.set(operation.device, list);
  }
  return { perDevice: [...byDevice.values()], global };
}

/** One step of a device's work: one operation, or a run of them that one command carries. */
type TStep =
  | { kind: "one"; operation: TOperation }
  | { kind: "wg"; operations: TWireguardOperation[] }
  | { kind: "ip"; operations: TIpOperation[] };

/**
 * One device's operations with each run of consecutive WireGuard settings as one step (one
 * `wg set`) and each run of link and address changes as one step (one `ip -batch`): on a small
 * host building many tunnels at once, every process spawned costs.
 */
function mergeRuns(operations: readonly TOperation[]): TStep[] {
  const steps: TStep[] = [];
  for (const operation of operations) {
    const last = steps.at(-1);
    if (isWireguardOperation(operation)) {
      if (last?.kind === "wg") last.operations.push(operation);
      else steps.push({ kind: "wg", operations: [operation] });
    } else if (isIpOperation(operation)) {
      if (last?.kind === "ip") last.operations.push(operation);
      else steps.push({ kind: "ip", operations: [operation] });
    } else {
      steps.push({ kind: "one", operation });
    }
  }
  return steps;
}

/** Run one step, keeping the ownership record true (intents before adds, removals after). */
async function applyStep(step: TStep, host: HostDriver, store: StateStore): Promise<void> {
  if (step.kind === "one") return applyRecorded(step.operation, host, store);
  if (step.kind === "wg") return host.applyWireguard(step.operations[0]!.device, step.operations);
  const adds = step.operations.filter((operation) => operation.op === "address-add");
  const deletes = step.operations.filter((operation) => operation.op === "address-delete");
  if (adds.length > 0) store.updateOwned((owned) => adds.reduce(recordOperation, owned));
  await host.applyIp(step.operations);
  if (deletes.length > 0) store.updateOwned((owned) => deletes.reduce(recordOperation, owned));
}

/** The ownership record after `operation` (the links and addresses it adds or removes). */
function recordOperation(owned: TOwnedRecord, operation: TOperation): TOwnedRecord {
  const after = updateOwnedState(owned, operation);
  return { ...owned, links: after.links, addresses: after.addresses };
}

/** Apply one host operation, keeping the ownership record true before and after it. */
async function applyRecorded(operation: TOperation, host: HostDriver, store: StateStore) {
  const record = (owned: TOwnedRecord) => recordOperation(owned, operation);
  const isAdding = operation.op === "link-create" || operation.op === "address-add";
  // Record the intent first: a crash mid-create still leaves a record to clean up.
  if (isAdding) store.updateOwned(record);
  await host.apply(operation);
  if (!isAdding) store.updateOwned(record);
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
    const desired = await deriveDesiredForHost(config, host, frr, keys.publicKey);
    // Managed FRR logs to its stdout (the daemon log files); system FRR keeps syslog.
    const frrModel = deriveFrrConfig(config, {
      logSyslogLevel: frr.mode === "managed" ? null : "informational",
    });
    // Managed FRR that is not running boots with the complete config (its startup file is
    // rendered from frrModel), so it needs no FRR operations after: start it while the tunnels
    // are built instead of before (a join's first pass saves the FRR start-up time).
    const isFrrStarting = desired.frr !== null && frr.isStartNeeded();
    if (desired.frr) frrStart = frr.ensureRunning(frrModel);
    const [hostObservation, frrState] = await Promise.all([
      host.observe(Object.keys(desired.sysctls)),
      isFrrStarting ? desired.frr : frr.observe(options.isFullObserve ?? true),
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
    const frrOperations = operations.filter(isFrrOperation);
    const { perDevice, global } = groupByDevice(
      operations.filter((operation) => !isFrrOperation(operation)),
    );
    const hostWork = (async () => {
      await runLimited(
        perDevice.map((list) => async () => {
          for (const step of mergeRuns(list)) await applyStep(step, host, store);
        }),
        DEVICE_CONCURRENCY,
      );
      const sysctls = global.filter((operation) => operation.op === "sysctl-set");
      await host.applySysctls(sysctls);
      for (const operation of global) {
        if (operation.op !== "sysctl-set") await applyRecorded(operation, host, store);
      }
    })();
    // Both finish (and record what they made) before the pass ends, even when one fails.
    const [hostResult, frrResult] = await Promise.allSettled([hostWork, frrStart]);
    if (hostResult.status === "rejected") throw hostResult.reason;
    if (frrResult.status === "rejected") throw frrResult.reason;
    if (desired.frr && frrOperations.length > 0) {
      await frr.apply(frrOperations, frrModel, desired.frr);
    }
    return finish(null);
  } catch (error) {
    // Never leave an FRR start running into the next pass.
    await frrStart.catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ version: config.version, error: message }, "apply failed");
    return finish(message.slice(0, 4000));
  }
}
