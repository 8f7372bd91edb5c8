// Runs the host steps netcfg scheduled (scheduleHostPlan), keeping the ownership record true:
// what a step adds is recorded before it runs (a crash mid-create still leaves a record to clean
// up), what it removes after it succeeded.
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

/** What a step removes: recorded once it succeeded (what it adds, before it runs). */
const removalsOf = (step: THostStep) => step.operations.filter((operation) => !isAdding(operation));

/** Record what `operations` change in the links and addresses meshover owns. */
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
  record(store, removalsOf(step));
}

/** A gate letting at most `limit` tasks run at once, the others waiting their turn in order. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot to the next in line (so no newcomer slips in between).
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/**
 * The schedule's host part: each device's steps in order, the devices side by side (a device
 * stops at its first failure; wireguard-go starts at most `concurrency` at once), then the
 * host-wide steps. A device goes on as soon as its own step is done: in lock-step rounds every
 * tunnel waited for the slowest device of each round (on a busy host the two loopback addresses
 * took 1.1–1.7 s, and no tunnel's `wg set` began before them). Throws the first failure after
 * every device is done.
 */
export async function runHostSchedule(
  schedule: THostSchedule,
  host: HostDriver,
  store: StateStore,
): Promise<void> {
  // What the devices add is recorded (in one write) before any of it runs; what a step
  // removes, after it succeeded. Recorded but never made is harmless: cleanup finds it gone.
  record(
    store,
    schedule.devices.flat().flatMap((step) => step.operations.filter(isAdding)),
  );
  const start = createLimiter(schedule.concurrency);
  const errors: unknown[] = [];
  await Promise.all(
    schedule.devices.map(async (steps) => {
      try {
        for (const step of steps) {
          await (step.kind === "command" ? host.runStep(step) : start(() => host.runStep(step)));
          record(store, removalsOf(step));
        }
      } catch (error) {
        errors.push(error);
      }
    }),
  );
  const [first] = errors;
  if (errors.length === 1) throw first;
  if (errors.length > 1) throw new AggregateError(errors, String((first as Error).message));
  for (const step of schedule.global) await runRecorded(step, host, store);
}
