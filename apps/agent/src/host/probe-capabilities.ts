// What this host's kernel can do, probed once and remembered in the state folder: kernel
// WireGuard (else wireguard-go) and dummy links (else the node addresses go on `lo`).
import type { TWireguardMode } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";

const PROBE_LINK = "mo-probe0";

/** The device holding the node addresses. */
export type TAddressDevice = "meshover0" | "lo";

/** Whether the kernel makes a link of `type` (made and deleted again at once). */
async function canCreateLink(runner: TRunner, type: "wireguard" | "dummy"): Promise<boolean> {
  const result = await runner.run(["ip", "link", "add", "dev", PROBE_LINK, "type", type]);
  if (result.code !== 0) return false;
  await runner.run(["ip", "link", "del", "dev", PROBE_LINK]);
  return true;
}

/** Probes host capabilities once per process (and once per host, via the state folder). */
export class HostCapabilities {
  private wireguardMode: Promise<TWireguardMode> | null = null;
  private addressDevice: Promise<TAddressDevice> | null = null;
  private virtualization: Promise<string | null> | null = null;

  constructor(
    private readonly runner: TRunner,
    private readonly store: StateStore,
    private readonly logger: TLogger,
  ) {}

  /** Kernel WireGuard when `ip link add ... type wireguard` works, else wireguard-go. */
  detectWireguardMode(): Promise<TWireguardMode> {
    // One probe even when several tunnels are created at once.
    this.wireguardMode ??= (async () => {
      const known = this.store.readHostFacts().wireguardMode;
      if (known) return known;
      const mode = (await canCreateLink(this.runner, "wireguard")) ? "kernel" : "wireguard-go";
      this.logger.info({ wireguard: mode }, "WireGuard implementation detected");
      this.store.writeHostFacts({ wireguardMode: mode });
      return mode;
    })();
    return this.wireguardMode;
  }

  /**
   * The machine's virtualization as `systemd-detect-virt --vm` names it ("none", "kvm", "qemu"
   * for software emulation, ...); null when the tool is missing or says something else.
   */
  detectVirtualization(): Promise<string | null> {
    this.virtualization ??= (async () => {
      // Exit 1 with "none" on bare metal: the answer is the output either way.
      const { stdout } = await this.runner.run(["systemd-detect-virt", "--vm"]);
      const name = stdout.trim();
      return /^[a-z0-9_-]{1,32}$/.test(name) ? name : null;
    })();
    return this.virtualization;
  }

  /** `meshover0` when the kernel has dummy links, else `lo`. */
  detectAddressDevice(): Promise<TAddressDevice> {
    this.addressDevice ??= (async () => {
      const known = this.store.readHostFacts().addressDevice;
      if (known) return known;
      const device = (await canCreateLink(this.runner, "dummy")) ? "meshover0" : "lo";
      this.store.writeHostFacts({ addressDevice: device });
      return device;
    })();
    return this.addressDevice;
  }
}
