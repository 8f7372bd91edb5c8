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

/** Run `tasks` with at most `limit` at once (each task handles its own failure). */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let task = tasks[next++]; task; task = tasks[next++]) await task();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * The schedule's host part: the devices' steps in rounds (round k runs every device's k-th step
 * side by side; a device stops at its first failure), then the host-wide steps. In a round the
 * command steps (`wg set`, `ip -batch`) run side by side (runAll); the others (wireguard-go
 * starts) at most `concurrency` at once. Throws the first failure
 * after every device is done.
 */
export async function runHostSchedule(
  schedule: THostSchedule,
  host: HostDriver,
  store: StateStore,
): Promise<void> {
  const failed = new Set<number>();
  const errors: unknown[] = [];
  const fail = (device: number, error: unknown) => {
    failed.add(device);
    errors.push(error);
  };
  const rounds = Math.max(0, ...schedule.devices.map((steps) => steps.length));
  for (let round = 0; round < rounds; round++) {
    const due = schedule.devices.flatMap((steps, device) =>
      round < steps.length && !failed.has(device) ? [{ device, step: steps[round]! }] : [],
    );
    const commands = due.filter(
      (entry): entry is { device: number; step: Extract<THostStep, { kind: "command" }> } =>
        entry.step.kind === "command",
    );
    const others = due.filter((entry) => entry.step.kind !== "command");
    // What the round adds is recorded (in one write) before any of it runs; what it removes,
    // after it succeeded.
    record(
      store,
      due.flatMap(({ step }) => step.operations.filter(isAdding)),
    );
    await Promise.all([
      (async () => {
        if (commands.length === 0) return;
        const outcomes = await host.runCommandSteps(commands.map(({ step }) => step));
        const removals: TOperation[] = [];
        commands.forEach(({ device, step }, i) => {
          const error = outcomes[i];
          if (error) fail(device, error);
          else removals.push(...removalsOf(step));
        });
        record(store, removals);
      })(),
      runLimited(
        others.map(
          ({ device, step }) =>
            () =>
              host
                .runStep(step)
                .then(() => record(store, removalsOf(step)))
                .catch((error: unknown) => fail(device, error)),
        ),
        schedule.concurrency,
      ),
    ]);
  }
  const [first] = errors;
  if (errors.length === 1) throw first;
  if (errors.length > 1) throw new AggregateError(errors, String((first as Error).message));
  for (const step of schedule.global) await runRecorded(step, host, store);
}
