// Observes the host (links, addresses, WireGuard, sysctls) and applies the planner's host
// operations through the executor. WireGuard devices are kernel ones when the kernel can make
// them, else wireguard-go processes the agent starts and supervises by PID.
import { existsSync, readFileSync } from "node:fs";
import type { THostState, TLinkState, TOperation } from "@meshover/netcfg";
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
  /** Wait between polls while a wireguard-go device appears. */
  pollMs?: number;
  /** Folder of wireguard-go control sockets (tests use a temporary one). */
  socketDir?: string;
  /** Liveness check for started processes (tests substitute the fake host's). */
  isAlive?: (pid: number, marker: string) => boolean;
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
        await runChecked(this.runner, [
          "ip",
          "link",
          "set",
          "dev",
          operation.device,
          "mtu",
          String(operation.mtu),
        ]);
        return;
      case "link-set-up":
        await runChecked(this.runner, ["ip", "link", "set", "dev", operation.device, "up"]);
        return;
      case "address-add":
      case "address-delete": {
        const verb = operation.op === "address-add" ? "add" : "del";
        const family = operation.cidr.includes(":") ? "-6" : "-4";
        const extra = verb === "add" && family === "-6" ? ["nodad"] : [];
        await runChecked(this.runner, [
          "ip",
          family,
          "addr",
          verb,
          operation.cidr,
          "dev",
          operation.device,
          ...extra,
        ]);
        return;
      }
      case "wg-set-private-key": {
        const keys = this.store.readKeys();
        if (keys?.publicKey !== operation.publicKey) {
          throw new Error(`no private key for public key ${operation.publicKey}`);
        }
        const file = this.store.writePrivateKeyFile(keys);
        await runChecked(this.runner, ["wg", "set", operation.device, "private-key", file]);
        return;
      }
      case "wg-set-listen-port":
        await runChecked(this.runner, [
          "wg",
          "set",
          operation.device,
          "listen-port",
          String(operation.port),
        ]);
        return;
      case "wg-set-peer":
        await runChecked(this.runner, [
          "wg",
          "set",
          operation.device,
          "peer",
          operation.publicKey,
          ...(operation.endpoint ? ["endpoint", operation.endpoint] : []),
          "allowed-ips",
          operation.allowedIps.join(","),
          "persistent-keepalive",
          operation.keepaliveSec === 0 ? "off" : String(operation.keepaliveSec),
        ]);
        return;
      case "wg-remove-peer":
        await runChecked(this.runner, [
          "wg",
          "set",
          operation.device,
          "peer",
          operation.publicKey,
          "remove",
        ]);
        return;
      case "sysctl-set":
        await runChecked(this.runner, [
          "sysctl",
          "-q",
          "-w",
          `${operation.key}=${operation.value}`,
        ]);
        return;
      default:
        throw new Error(`not a host operation: ${operation.op}`);
    }
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
    await this.runner.run(["sysctl", "-q", "-w", `net.ipv6.conf.${device}.addr_gen_mode=1`]);
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
