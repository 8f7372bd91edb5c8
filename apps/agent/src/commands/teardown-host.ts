// Remove everything meshover created on the host, from the ownership record: managed FRR,
// tunnels (and their wireguard-go processes), the addresses it put on `lo`.
import { describeOperation, OWNED_LINK_PATTERN } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { FrrDriver } from "../frr/frr-driver";
import { stopProcess } from "../host/process-alive";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";

/** Options of teardownHost. */
export interface TTeardownOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  frr: FrrDriver;
  host: HostDriver;
}

/** Undo what the record says meshover made; keeps going past errors and returns them. */
export async function teardownHost(options: TTeardownOptions): Promise<string[]> {
  const { store, logger, frr, host } = options;
  const errors: string[] = [];
  try {
    const afterFrr = await frr.remove(store.readOwned());
    store.updateOwned((owned) => ({ ...owned, frr: afterFrr.frr, paths: afterFrr.paths }));
  } catch (error) {
    errors.push(`FRR: ${String(error)}`);
  }
  for (const device of [...store.readOwned().links]) {
    if (!OWNED_LINK_PATTERN.test(device)) continue;
    try {
      const exists = (await options.runner.run(["ip", "link", "show", "dev", device])).code === 0;
      if (exists) await host.apply({ op: "link-delete", device });
      else {
        const pid = store.readOwned().wireguardGo[device];
        if (pid !== undefined) await stopProcess(pid, device);
      }
      store.updateOwned((owned) => {
        const { [device]: _gone, ...rest } = owned.wireguardGo;
        return {
          ...owned,
          links: owned.links.filter((name) => name !== device),
          wireguardGo: rest,
        };
      });
      logger.info({ device }, "removed link");
    } catch (error) {
      errors.push(`${device}: ${String(error)}`);
    }
  }
  for (const address of [...store.readOwned().addresses]) {
    const operation = { op: "address-delete" as const, ...address };
    try {
      await host.apply(operation);
    } catch (error) {
      // Already gone counts as removed.
      if (!/Cannot assign requested address|No such device/.test(String(error))) {
        errors.push(`${describeOperation(operation)}: ${String(error)}`);
        continue;
      }
    }
    store.updateOwned((owned) => ({
      ...owned,
      addresses: owned.addresses.filter(
        (a) => a.device !== address.device || a.cidr !== address.cidr,
      ),
    }));
  }
  for (const error of errors) logger.error({ error }, "teardown step failed");
  return errors;
}
