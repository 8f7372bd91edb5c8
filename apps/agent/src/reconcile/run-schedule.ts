// Runs the host steps netcfg scheduled (scheduleHostPlan), keeping the ownership record true
// step by step: what a step adds is recorded before it runs (a crash mid-create still leaves a
// record to clean up), what it removes after it succeeded.
import {
  updateOwnedState,
  type THostSchedule,
  type THostStep,
  type TOperation,
} from "@meshover/netcfg";
import type { HostDriver } from "../host/host-driver";
import type { StateStore } from "../state/state-store";
import type { TOwnedRecord } from "../state/state-files";

const isAdding = (operation: TOperation) =>
  operation.op === "link-create" || operation.op === "address-add";

function record(store: StateStore, operations: readonly TOperation[]): void {
  if (operations.length === 0) return;
  store.updateOwned((owned): TOwnedRecord => {
    const after = operations.reduce(updateOwnedState, owned);
    return { ...owned, links: after.links, addresses: after.addresses };
  });
}

/** Run one step with its ownership bookkeeping. */
async function runRecorded(step: THostStep, host: HostDriver, store: StateStore): Promise<void> {
  record(store, step.operations.filter(isAdding));
  await host.runStep(step);
  record(
    store,
    step.operations.filter((operation) => !isAdding(operation)),
  );
}

/**
 * Run `tasks` with at most `limit` at once; every task runs. One failure is thrown as it is,
 * several as an AggregateError carrying the first one's message.
 */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    for (let task = tasks[next++]; task; task = tasks[next++]) {
      await task().catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  const [first] = errors;
  if (errors.length === 1) throw first;
  if (errors.length > 1) throw new AggregateError(errors, String((first as Error).message));
}

/**
 * The schedule's host part: every device's steps (devices side by side, each device's in
 * order, stopping at its first failure), then the host-wide steps. Throws the first failure
 * after every device is done.
 */
export async function runHostSchedule(
  schedule: THostSchedule,
  host: HostDriver,
  store: StateStore,
): Promise<void> {
  await runLimited(
    schedule.devices.map((steps) => async () => {
      for (const step of steps) await runRecorded(step, host, store);
    }),
    schedule.concurrency,
  );
  for (const step of schedule.global) await runRecorded(step, host, store);
}
