// The host's effects for the reconcile loop: observe, and run the steps netcfg scheduled
// (scheduleHostPlan). Every argv comes from netcfg; this file only runs them, writes sysctls to
// /proc/sys, supervises wireguard-go, and hands the node's private key to `wg set` as a file.
import { writeFileSync } from "node:fs";
import { describeOperation, type THostStep, type TWireguardMode } from "@meshover/netcfg";
import { CommandError, runChecked, type TRunner } from "../exec/run-command";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import { observeHost, readProcSysctl, type TObservation, type TReadSysctl } from "./observe-host";
import { HostCapabilities, type TAddressDevice } from "./probe-capabilities";
import { WireguardGo } from "./wireguard-go";

export type { TObservation } from "./observe-host";
export type { TWireguardMode } from "@meshover/netcfg";

/** The file holding a rotation's next private key for `wg set ... private-key`. */
const NEXT_PRIVATE_KEY_FILE = "private-next.key";

/** Options of HostDriver. */
export interface THostDriverOptions {
  runner: TRunner;
  logger: TLogger;
  store: StateStore;
  /** Read a sysctl; defaults to /proc/sys (tests substitute the fake host's). */
  readSysctl?: TReadSysctl;
  /** Write a sysctl (tests substitute the fake host); throws when it cannot. */
  writeSysctl?: (key: string, value: string) => void;
  /** Wait between polls while a wireguard-go device appears. */
  pollMs?: number;
  /** Folder of wireguard-go control sockets (tests use a temporary one). */
  socketDir?: string;
}

function writeProcSysctl(key: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, value);
  } catch (error) {
    throw new Error(
      `sysctl ${key}=${value}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Host side of the reconcile loop. */
export class HostDriver {
  private readonly runner: TRunner;
  private readonly logger: TLogger;
  private readonly store: StateStore;
  private readonly readSysctl: TReadSysctl;
  private readonly writeSysctl: (key: string, value: string) => void;
  private readonly capabilities: HostCapabilities;
  private readonly wireguardGo: WireguardGo;

  constructor(options: THostDriverOptions) {
    this.runner = options.runner;
    this.logger = options.logger;
    this.store = options.store;
    this.readSysctl = options.readSysctl ?? readProcSysctl;
    this.writeSysctl = options.writeSysctl ?? writeProcSysctl;
    this.capabilities = new HostCapabilities(options.runner, options.store, options.logger);
    this.wireguardGo = new WireguardGo({
      runner: options.runner,
      store: options.store,
      socketDir: options.socketDir,
      pollMs: options.pollMs,
    });
  }

  /** Kernel WireGuard or wireguard-go (probed once). */
  detectWireguardMode(): Promise<TWireguardMode> {
    return this.capabilities.detectWireguardMode();
  }

  /** `meshover0` when the kernel has dummy links, else `lo` (probed once). */
  detectAddressDevice(): Promise<TAddressDevice> {
    return this.capabilities.detectAddressDevice();
  }

  /** `systemd-detect-virt --vm` (probed once; null when unknown). */
  detectVirtualization(): Promise<string | null> {
    return this.capabilities.detectVirtualization();
  }

  /** The file `wg set ... private-key` reads (written when a step needs it). */
  get privateKeyFile(): string {
    return this.store.path("private.key");
  }

  /** The files of keys other than the current one, by public key: a rotation's next key. */
  get privateKeyFiles(): Record<string, string> {
    const next = this.store.readKeys()?.next;
    return next ? { [next.publicKey]: this.store.path(NEXT_PRIVATE_KEY_FILE) } : {};
  }

  /** Observe links, addresses, WireGuard devices and the given sysctls. FRR is left null. */
  observe(sysctlKeys: readonly string[]): Promise<TObservation> {
    return observeHost(this.runner, this.readSysctl, sysctlKeys);
  }

  /** Run one scheduled step; throws on failure (best-effort sysctls only log). */
  async runStep(step: THostStep): Promise<void> {
    switch (step.kind) {
      case "command":
        this.writeKeyFileIfNeeded(step);
        await runChecked(this.runner, step.argv, step.input === null ? {} : { input: step.input });
        return;
      case "wireguard-go":
        return this.wireguardGo.start(step.device, step.argv);
      case "link-delete":
        return this.deleteLink(step.device, step.argv);
      case "sysctl":
        return this.writeSysctls(step);
    }
  }

  private writeKeyFileIfNeeded(step: Extract<THostStep, { kind: "command" }>): void {
    for (const operation of step.operations) {
      if (operation.op !== "wg-set-private-key") continue;
      const keys = this.store.readKeys();
      if (keys?.publicKey === operation.publicKey) {
        this.store.writePrivateKeyFile(keys);
      } else if (keys?.next?.publicKey === operation.publicKey) {
        this.store.writePrivateKeyFile(keys.next, NEXT_PRIVATE_KEY_FILE);
      } else {
        throw new Error(`no private key for public key ${operation.publicKey}`);
      }
    }
  }

  private async deleteLink(device: string, argv: readonly string[]): Promise<void> {
    try {
      await runChecked(this.runner, argv);
    } catch (error) {
      // The link being gone already (its wireguard-go exited) is success.
      const isGone =
        error instanceof CommandError && /Cannot find device/.test(error.result.stderr);
      if (!isGone) throw error;
    }
    // wireguard-go exits once its tun is gone; make sure of it.
    await this.wireguardGo.stop(device);
  }

  /** Every key is tried; the first failure that matters is thrown after. */
  private writeSysctls(step: Extract<THostStep, { kind: "sysctl" }>): Promise<void> {
    let failure: Error | null = null;
    for (const operation of step.operations) {
      try {
        this.writeSysctl(operation.key, operation.value);
        this.logger.debug({ key: operation.key, value: operation.value }, "sysctl set");
      } catch (error) {
        if (operation.isBestEffort) {
          this.logger.warn({ error: String(error) }, `${describeOperation(operation)} failed`);
        } else failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    return failure === null ? Promise.resolve() : Promise.reject(failure);
  }

  /** Stop a recorded wireguard-go whose link is gone already (crash cleanup). */
  stopWireguardGo(device: string): Promise<void> {
    return this.wireguardGo.stop(device);
  }
}
