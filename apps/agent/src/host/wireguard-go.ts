// wireguard-go processes for hosts whose kernel has no WireGuard: one per tunnel, started
// detached (they outlive the agent by design) and supervised by PID through the runner. Each PID
// goes into the ownership record before anything waits on it, so a crash still lets `leave`
// stop it.
import { existsSync } from "node:fs";
import type { TRunner } from "../exec/run-command";
import type { StateStore } from "../state/state-store";
import { stopProcess } from "./stop-process";

/** Where wireguard-go keeps its control sockets. */
export const WIREGUARD_SOCKET_DIR = "/var/run/wireguard";

/** How long a new wireguard-go may take to open its control socket. */
const START_TIMEOUT_MS = 5000;

/** Options of WireguardGo. */
export interface TWireguardGoOptions {
  runner: TRunner;
  store: StateStore;
  /** Folder of wireguard-go control sockets (tests use a temporary one). */
  socketDir?: string;
  /** Wait between polls while a device appears. */
  pollMs?: number;
}

/** Starts and stops the wireguard-go of a tunnel. */
export class WireguardGo {
  private readonly socketDir: string;
  private readonly pollMs: number;

  constructor(private readonly options: TWireguardGoOptions) {
    this.socketDir = options.socketDir ?? WIREGUARD_SOCKET_DIR;
    this.pollMs = options.pollMs ?? 20;
  }

  /** Start `argv` (wireguard-go -f <device>) and wait until its device answers. */
  async start(device: string, argv: readonly string[]): Promise<void> {
    const { runner, store } = this.options;
    const stale = store.readOwned().wireguardGo[device];
    if (stale !== undefined) await stopProcess(runner, stale, device);
    const pid = await runner.spawnDaemon(argv, {
      logFile: store.path(`logs/wireguard-go-${device}.log`),
    });
    store.updateOwned((owned) => ({
      ...owned,
      wireguardGo: { ...owned.wireguardGo, [device]: pid },
    }));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!existsSync(`${this.socketDir}/${device}.sock`)) {
      if (!runner.isAlive(pid, device))
        throw new Error(`wireguard-go for ${device} exited (see logs)`);
      if (Date.now() > deadline) throw new Error(`wireguard-go for ${device}: no socket after 5 s`);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** Stop the device's wireguard-go, if one was recorded, and forget it. */
  async stop(device: string): Promise<void> {
    const { runner, store } = this.options;
    const pid = store.readOwned().wireguardGo[device];
    if (pid !== undefined) await stopProcess(runner, pid, device);
    store.updateOwned((owned) => {
      const { [device]: _removed, ...rest } = owned.wireguardGo;
      return { ...owned, wireguardGo: rest };
    });
  }
}
