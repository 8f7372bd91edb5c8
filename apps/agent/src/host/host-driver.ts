// Observes the host (links, addresses, WireGuard, sysctls) and applies the planner's host
// operations through the executor. WireGuard devices are kernel ones when the kernel can make
// them, else wireguard-go processes the agent starts and supervises by PID.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  describeOperation,
  type THostState,
  type TLinkState,
  type TOperation,
} from "@meshover/netcfg";
import { CommandError, runChecked, type TRunner } from "../exec/run-command";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import { isProcessAlive, stopProcess } from "./process-alive";
import {
  parseIpAddresses,
  parseIpLinks,
  parseWireguardDump,
  type TWireguardDump,
} from "./parse-tool-output";

/** How WireGuard devices are made on this host. */
export type TWireguardMode = "kernel" | "wireguard-go";

/** The operations one `wg set` can carry. */
export type TWireguardOperation = Extract<
  TOperation,
  { op: "wg-set-private-key" | "wg-set-listen-port" | "wg-set-peer" | "wg-remove-peer" }
>;

/** A sysctl write. */
export type TSysctlOperation = Extract<TOperation, { op: "sysctl-set" }>;

/** A link or address change `ip` makes. */
export type TIpOperation = Extract<
  TOperation,
  { op: "link-set-mtu" | "link-set-up" | "address-add" | "address-delete" }
>;

/** Whether `operation` is a link or address change that `ip -batch` can carry. */
export function isIpOperation(operation: TOperation): operation is TIpOperation {
  return (
    operation.op === "link-set-mtu" ||
    operation.op === "link-set-up" ||
    operation.op === "address-add" ||
    operation.op === "address-delete"
  );
}

/** Whether `operation` is one `wg set` can carry. */
export function isWireguardOperation(operation: TOperation): operation is TWireguardOperation {
  return operation.op.startsWith("wg-");
}

/** Where wireguard-go keeps its control sockets. */
export const WIREGUARD_SOCKET_DIR = "/var/run/wireguard";

const PROBE_LINK = "mo-probe0";

/** What one observation returns besides the planner's state. */
export interface TObservation {
  host: THostState;
  wireguard: TWireguardDump;
}

/** Options of HostDriver. */
export interface THostDriverOptions {
  runner: TRunner;
  logger: TLogger;
  store: StateStore;
  /** Read a sysctl; defaults to /proc/sys (tests substitute the fake host's). */
  readSysctl?: (key: string) => string | undefined;
  /** Write a sysctl (tests substitute the fake host); throws when it cannot. */
  writeSysctl?: (key: string, value: string) => void;
  /** Wait between polls while a wireguard-go device appears. */
  pollMs?: number;
  /** Folder of wireguard-go control sockets (tests use a temporary one). */
  socketDir?: string;
  /** Liveness check for started processes (tests substitute the fake host's). */
  isAlive?: (pid: number, marker: string) => boolean;
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

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** The `ip` arguments of one link or address change (the family flag only outside a batch). */
function toIpArgs(operation: TIpOperation, isFamilyFlagged: boolean): string[] {
  switch (operation.op) {
    case "link-set-mtu":
      return ["link", "set", "dev", operation.device, "mtu", String(operation.mtu)];
    case "link-set-up":
      return ["link", "set", "dev", operation.device, "up"];
    case "address-add":
    case "address-delete": {
      const isV6 = operation.cidr.includes(":");
      return [
        // `ip -batch` takes no options per line; the address says its family anyway.
        ...(isFamilyFlagged ? [isV6 ? "-6" : "-4"] : []),
        "addr",
        operation.op === "address-add" ? "add" : "del",
        operation.cidr,
        "dev",
        operation.device,
        ...(operation.op === "address-add" && isV6 ? ["nodad"] : []),
      ];
    }
  }
}

function readProcSysctl(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Host side of the reconcile loop. */
export class HostDriver {
  private readonly runner: TRunner;
  private readonly logger: TLogger;
  private readonly store: StateStore;
  private readonly readSysctl: (key: string) => string | undefined;
  private readonly writeSysctl: (key: string, value: string) => void;
  private readonly pollMs: number;
  private readonly socketDir: string;
  private readonly isAlive: (pid: number, marker: string) => boolean;
  private wireguardModeProbe: Promise<TWireguardMode> | null = null;
  private wireguardMode: TWireguardMode | null = null;
  private hasDummy: boolean | null = null;

  constructor(options: THostDriverOptions) {
    this.runner = options.runner;
    this.logger = options.logger;
    this.store = options.store;
    this.readSysctl = options.readSysctl ?? readProcSysctl;
    this.writeSysctl = options.writeSysctl ?? writeProcSysctl;
    this.pollMs = options.pollMs ?? 20;
    this.socketDir = options.socketDir ?? WIREGUARD_SOCKET_DIR;
    this.isAlive = options.isAlive ?? isProcessAlive;
  }

  /** Kernel WireGuard when `ip link add ... type wireguard` works, else wireguard-go (cached). */
  detectWireguardMode(): Promise<TWireguardMode> {
    // One probe even when several tunnels are created at once.
    this.wireguardModeProbe ??= this.probeWireguardMode();
    return this.wireguardModeProbe;
  }

  private async probeWireguardMode(): Promise<TWireguardMode> {
    this.wireguardMode ??= this.store.readHostFacts().wireguardMode ?? null;
    if (this.wireguardMode) return this.wireguardMode;
    const result = await this.runner.run([
      "ip",
      "link",
      "add",
      "dev",
      PROBE_LINK,
      "type",
      "wireguard",
    ]);
    if (result.code === 0) {
      await this.runner.run(["ip", "link", "del", "dev", PROBE_LINK]);
      this.wireguardMode = "kernel";
    } else {
      this.wireguardMode = "wireguard-go";
    }
    this.logger.info({ wireguard: this.wireguardMode }, "WireGuard implementation detected");
    this.store.writeHostFacts({ wireguardMode: this.wireguardMode });
    return this.wireguardMode;
  }

  /** `meshover0` when the kernel has dummy links, else `lo` (cached). */
  async detectAddressDevice(): Promise<"meshover0" | "lo"> {
    const known = this.store.readHostFacts().addressDevice;
    if (this.hasDummy === null && known) this.hasDummy = known === "meshover0";
    if (this.hasDummy === null) {
      const result = await this.runner.run([
        "ip",
        "link",
        "add",
        "dev",
        PROBE_LINK,
        "type",
        "dummy",
      ]);
      if (result.code === 0) await this.runner.run(["ip", "link", "del", "dev", PROBE_LINK]);
      this.hasDummy = result.code === 0;
      this.store.writeHostFacts({ addressDevice: this.hasDummy ? "meshover0" : "lo" });
    }
    return this.hasDummy ? "meshover0" : "lo";
  }

  /** Observe links, addresses, WireGuard devices and the given sysctls. FRR is left null. */
  async observe(sysctlKeys: readonly string[]): Promise<TObservation> {
    const [links, addresses, dump] = await Promise.all([
      runChecked(this.runner, ["ip", "-d", "-json", "link", "show"]),
      runChecked(this.runner, ["ip", "-json", "addr", "show"]),
      this.runner.run(["wg", "show", "all", "dump"], { isSecret: true }),
    ]);
    const wireguard = parseWireguardDump(dump.code === 0 ? dump.stdout : "");
    const addressMap = parseIpAddresses(addresses.stdout);
    const states: TLinkState[] = parseIpLinks(links.stdout).map((link) => {
      const device = wireguard.devices.get(link.name) ?? null;
      return {
        name: link.name,
        kind: device ? "wireguard" : link.kind,
        mtu: link.mtu,
        isUp: link.isUp,
        addresses: addressMap.get(link.name) ?? [],
        wireguard: device,
      };
    });
    const sysctls: Record<string, string> = {};
    for (const key of sysctlKeys) {
      const value = this.readSysctl(key);
      if (value !== undefined) sysctls[key] = value;
    }
    return {
      host: { links: states.sort((a, b) => a.name.localeCompare(b.name)), sysctls, frr: null },
      wireguard,
    };
  }

  /**
   * Apply one host operation (not FRR). A wireguard-go PID it starts or stops is merged into
   * the ownership record at once (links and addresses are the caller's to record).
   */
  async apply(operation: TOperation): Promise<void> {
    switch (operation.op) {
      case "link-create":
        return this.createLink(operation.device, operation.kind);
      case "link-delete":
        return this.deleteLink(operation.device);
      case "link-set-mtu":
      case "link-set-up":
      case "address-add":
      case "address-delete":
        return this.applyIp([operation]);
      case "wg-set-private-key":
      case "wg-set-listen-port":
      case "wg-set-peer":
      case "wg-remove-peer":
        return this.applyWireguard(operation.device, [operation]);
      case "sysctl-set":
        return this.applySysctls([operation]);
      default:
        throw new Error(`not a host operation: ${operation.op}`);
    }
  }

  /**
   * Several WireGuard settings of one device in one `wg set` (interface settings first, then
   * each peer): one process instead of one per setting, which matters on a small host building
   * many tunnels at once.
   */
  async applyWireguard(device: string, operations: readonly TWireguardOperation[]): Promise<void> {
    const interfaceArgs: string[] = [];
    const peerArgs: string[] = [];
    for (const operation of operations) {
      if (operation.device !== device)
        throw new Error(`${describeOperation(operation)}: not ${device}`);
      switch (operation.op) {
        case "wg-set-private-key": {
          const keys = this.store.readKeys();
          if (keys?.publicKey !== operation.publicKey) {
            throw new Error(`no private key for public key ${operation.publicKey}`);
          }
          interfaceArgs.push("private-key", this.store.writePrivateKeyFile(keys));
          break;
        }
        case "wg-set-listen-port":
          interfaceArgs.push("listen-port", String(operation.port));
          break;
        case "wg-set-peer":
          peerArgs.push(
            "peer",
            operation.publicKey,
            ...(operation.endpoint ? ["endpoint", operation.endpoint] : []),
            "allowed-ips",
            operation.allowedIps.join(","),
            "persistent-keepalive",
            operation.keepaliveSec === 0 ? "off" : String(operation.keepaliveSec),
          );
          break;
        case "wg-remove-peer":
          peerArgs.push("peer", operation.publicKey, "remove");
          break;
      }
    }
    await runChecked(this.runner, ["wg", "set", device, ...interfaceArgs, ...peerArgs]);
  }

  /**
   * Link and address changes: one `ip` command, or several as one `ip -batch -` (one process
   * instead of one per change; it stops at the first failure).
   */
  async applyIp(operations: readonly TIpOperation[]): Promise<void> {
    const [only] = operations;
    if (operations.length === 1 && only) {
      await runChecked(this.runner, ["ip", ...toIpArgs(only, true)]);
      return;
    }
    if (operations.length === 0) return;
    const input = operations.map((operation) => toIpArgs(operation, false).join(" ")).join("\n");
    await runChecked(this.runner, ["ip", "-batch", "-"], { input: `${input}\n` });
  }

  /**
   * Sysctls, written to /proc/sys directly: no process per key (a join sets several per
   * tunnel). Every key is tried; the first failure is thrown after.
   */
  applySysctls(operations: readonly TSysctlOperation[]): Promise<void> {
    let failure: unknown = null;
    for (const operation of operations) {
      try {
        this.writeSysctl(operation.key, operation.value);
        this.logger.debug({ key: operation.key, value: operation.value }, "sysctl set");
      } catch (error) {
        failure ??= error;
      }
    }
    return failure === null ? Promise.resolve() : Promise.reject(toError(failure));
  }

  private async createLink(device: string, kind: "wireguard" | "dummy"): Promise<void> {
    if (kind === "dummy") {
      await runChecked(this.runner, ["ip", "link", "add", "dev", device, "type", "dummy"]);
      return;
    }
    if ((await this.detectWireguardMode()) === "kernel") {
      await runChecked(this.runner, ["ip", "link", "add", "dev", device, "type", "wireguard"]);
    } else {
      const stale = this.store.readOwned().wireguardGo[device];
      if (stale !== undefined) await stopProcess(stale, device);
      const pid = await this.runner.spawnDaemon(["wireguard-go", "-f", device], {
        logFile: this.store.path(`logs/wireguard-go-${device}.log`),
      });
      // Recorded before waiting, so a crash now still lets `leave` stop it.
      this.store.updateOwned((owned) => ({
        ...owned,
        wireguardGo: { ...owned.wireguardGo, [device]: pid },
      }));
      await this.waitForWireguardGo(device, pid);
    }
    // No kernel-generated link-local on tunnels: each end has exactly its fe80::<index>.
    await this.applySysctls([
      { op: "sysctl-set", key: `net.ipv6.conf.${device}.addr_gen_mode`, value: "1" },
    ]).catch((error: unknown) =>
      this.logger.warn({ device, error: String(error) }, "cannot turn off the kernel link-local"),
    );
  }

  private async waitForWireguardGo(device: string, pid: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!existsSync(`${this.socketDir}/${device}.sock`)) {
      if (!isProcessAlive(pid, device))
        throw new Error(`wireguard-go for ${device} exited (see logs)`);
      if (Date.now() > deadline) throw new Error(`wireguard-go for ${device}: no socket after 5 s`);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async deleteLink(device: string): Promise<void> {
    try {
      await runChecked(this.runner, ["ip", "link", "del", "dev", device]);
    } catch (error) {
      // The link being gone already (wireguard-go exited) is success.
      const isGone =
        error instanceof CommandError && /Cannot find device/.test(error.result.stderr);
      if (!isGone) throw error;
    }
    // wireguard-go exits once its tun is gone; make sure of it.
    const pid = this.store.readOwned().wireguardGo[device];
    if (pid !== undefined) await stopProcess(pid, device);
    this.store.updateOwned((owned) => {
      const { [device]: _removed, ...rest } = owned.wireguardGo;
      return { ...owned, wireguardGo: rest };
    });
  }
}
