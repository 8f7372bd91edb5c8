// Remove everything meshover created on the host. FRR first (managed daemons and folders, or
// meshover's block of the system config), then the host part as the plan from what is owned to
// an empty desired state: the same planner, schedule and steps as every reconcile pass.
import { EMPTY_DESIRED_HOST, planHost, scheduleHostPlan } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import { removeManagedFrr } from "../frr/managed-frr";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import { runHostSchedule } from "../reconcile/run-schedule";
import { removeHandoverRoutes } from "../sources/handover-routes";
import type { StateStore } from "../state/state-store";

/** Options of teardownHost. */
export interface TTeardownOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  /** null: `--frr none` (a managed FRR recorded by an earlier run is still stopped). */
  frr: TFrrAdapter | null;
  host: HostDriver;
}

const toMessages = (error: unknown): string[] =>
  error instanceof AggregateError ? error.errors.map(String) : [String(error)];

/** Undo what the record says meshover made; keeps going past errors and returns them. */
export async function teardownHost(options: TTeardownOptions): Promise<string[]> {
  const { store, runner, logger, frr, host } = options;
  const errors: string[] = [];
  try {
    const owned = store.readOwned();
    const after = frr ? await frr.remove(owned) : await removeManagedFrr(runner, logger, owned);
    store.updateOwned((current) => ({ ...current, frr: after.frr, paths: after.paths }));
  } catch (error) {
    errors.push(`FRR: ${String(error)}`);
  }
  try {
    const owned = store.readOwned();
    const { host: observed } = await host.observe([]);
    const plan = planHost({
      observed,
      desired: EMPTY_DESIRED_HOST,
      owned: { links: owned.links, addresses: owned.addresses },
    });
    // A teardown plan creates nothing, so the WireGuard mode does not matter (and probing
    // would create a link).
    const schedule = scheduleHostPlan(plan.operations, {
      wireguardMode: "kernel",
      privateKeyFile: host.privateKeyFile,
      frrModel: null,
    });
    await runHostSchedule(schedule, host, store).catch((error: unknown) =>
      errors.push(...toMessages(error)),
    );
    // Recorded but gone already (e.g. after a crash): stop a wireguard-go left for the link, and
    // forget the record.
    const names = new Set(observed.links.map((link) => link.name));
    for (const device of store.readOwned().links.filter((name) => !names.has(name))) {
      await host.stopWireguardGo(device);
      store.updateOwned((current) => ({
        ...current,
        links: current.links.filter((name) => name !== device),
      }));
    }
    store.updateOwned((current) => ({
      ...current,
      addresses: current.addresses.filter((address) =>
        observed.links.some(
          (link) => link.name === address.device && link.addresses.includes(address.cidr),
        ),
      ),
    }));
  } catch (error) {
    errors.push(...toMessages(error));
  }
  // Their routes went with the tunnels; the rules looking their table up go now.
  await removeHandoverRoutes(runner);
  for (const error of errors) logger.error({ error }, "teardown step failed");
  return errors;
}
