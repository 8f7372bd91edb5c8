// Debian guests under qemu (TCG: this machine's KVM cannot run a stock kernel) for the VM tier.
// Network: a namespace of the lab run (recorded in the lab's record, so its teardown and leftover
// sweeper remove it) holding a bridge with one tap per guest, and one veth from that bridge to
// the lab's underlay bridge, where the lab's controller and namespace nodes are. The guests get
// underlay addresses of the run's 2001:db8 /64; nothing is routed anywhere else. qemu runs as a
// lab process (stopped by its PID at teardown).
import { join } from "node:path";
import type { Lab } from "../../lab/harness/create-lab";
import { LAB_PREFIX } from "../../lab/harness/record-lab";
import type { TLabProcess } from "../../lab/harness/manage-process";
import { runCommand, type TCommandResult } from "../../lab/harness/run-command";
import { waitUntil } from "../../lab/harness/wait-until";
import type { TVmImage } from "./build-image";

/** One running guest. */
export interface TGuest {
  /** Host name and node name: vm<index>. */
  name: string;
  index: number;
  /** Its underlay address (eth0). */
  address: string;
  consoleLog: string;
  process: TLabProcess;
  /** From starting qemu until ssh answered (first boot). */
  bootMs: number;
}

/** Options of {@link TGuestNet.ssh}. */
export interface TSshOptions {
  /** Log in as this user (default root). */
  user?: string;
  input?: string;
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Guest memory: enough for apt, FRR and Node (the agent uses about 70 MB). */
const GUEST_MEMORY_MB = 640;

/** The guests' network inside `lab`, and the guests on it. */
export class TGuestNet {
  readonly guests = new Map<string, TGuest>();

  private constructor(
    readonly lab: Lab,
    readonly image: TVmImage,
    readonly netns: string,
  ) {}

  /** Create the guests' namespace, bridge and uplink to the lab's underlay bridge. */
  static async create(lab: Lab, image: TVmImage) {
    const netns = `${LAB_PREFIX}${lab.runId}-vm`;
    const hostEnd = `${LAB_PREFIX}${lab.runId}-hv`;
    const vmEnd = "uplink";
    lab.record.netns.push(netns);
    lab.record.links.push(hostEnd);
    lab.save();
    await runCommand(["ip", "netns", "add", netns]);
    await runCommand([
      "ip",
      "link",
      "add",
      hostEnd,
      "type",
      "veth",
      "peer",
      "name",
      vmEnd,
      "netns",
      netns,
    ]);
    // Bridge ports only: no addresses, no IPv6 on either end.
    await runCommand(["sysctl", "-q", "-w", `net.ipv6.conf.${hostEnd}.disable_ipv6=1`]);
    await runCommand(["ip", "link", "set", hostEnd, "master", lab.bridge, "up"]);
    const inNs = (args: string[]) => runCommand(["ip", "-n", netns, ...args]);
    await inNs(["link", "add", "br0", "type", "bridge"]);
    await runCommand([
      "ip",
      "netns",
      "exec",
      netns,
      "sysctl",
      "-q",
      "-w",
      "net.ipv6.conf.br0.disable_ipv6=1",
    ]);
    await inNs(["link", "set", vmEnd, "master", "br0", "up"]);
    await inNs(["link", "set", "br0", "up"]);
    return new TGuestNet(lab, image, netns);
  }

  /** The underlay address of guest `index` (after the lab's nodes: index 11, 12, ...). */
  addressOf(index: number) {
    return this.lab.underlayAddressOf(index);
  }

  /** Boot guest vm<index> and wait until ssh answers. */
  async startGuest(index: number): Promise<TGuest> {
    const name = `vm${index}`;
    const tap = `tap${index}`;
    const address = this.addressOf(index);
    await runCommand(["ip", "-n", this.netns, "tuntap", "add", "dev", tap, "mode", "tap"]);
    await runCommand(["ip", "-n", this.netns, "link", "set", tap, "master", "br0", "up"]);
    const consoleLog = join(this.lab.dir, "logs", `${name}-console.log`);
    const mac = `52:54:00:6d:00:${index.toString(16).padStart(2, "0")}`;
    const append = [
      "root=/dev/vda",
      "rw",
      "console=ttyS0",
      "net.ifnames=0",
      `systemd.hostname=${name}`,
      `vmnet.addr=${address}/64`,
      "quiet",
    ].join(" ");
    const started = performance.now();
    const proc = this.lab.startOnHost(name, [
      "ip",
      "netns",
      "exec",
      this.netns,
      "qemu-system-x86_64",
      "-accel",
      "tcg",
      "-m",
      String(GUEST_MEMORY_MB),
      "-smp",
      "1",
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-serial",
      `file:${consoleLog}`,
      "-kernel",
      this.image.kernel,
      "-initrd",
      this.image.initrd,
      "-append",
      append,
      // snapshot=on: every guest starts from the cached image; its writes live as long as its
      // qemu process (a guest reboot keeps them, the run's end drops them).
      "-drive",
      `file=${this.image.rootImage},format=raw,if=virtio,snapshot=on`,
      "-netdev",
      `tap,id=n0,ifname=${tap},script=no,downscript=no`,
      "-device",
      `virtio-net-pci,netdev=n0,mac=${mac}`,
    ]);
    const guest: TGuest = { name, index, address, consoleLog, process: proc, bootMs: 0 };
    await this.waitForSsh(guest);
    guest.bootMs = performance.now() - started;
    this.guests.set(name, guest);
    return guest;
  }

  /** Wait until the guest's sshd answers (after a boot or reboot). */
  async waitForSsh(guest: Pick<TGuest, "name" | "address" | "process" | "consoleLog">) {
    await waitUntil(
      { name: `${guest.name} answers ssh`, timeoutMs: 300_000, intervalMs: 2000 },
      async () => {
        if (guest.process.hasExited()) {
          throw new Error(`qemu of ${guest.name} exited; see ${guest.consoleLog}`);
        }
        const result = await this.ssh(guest, "true", { allowFailure: true, timeoutMs: 15_000 });
        return { isDone: result.code === 0, state: result.stderr.trim().slice(-200) };
      },
    );
  }

  /** Run a shell command in the guest over ssh (root unless `user`). */
  ssh(
    guest: Pick<TGuest, "address">,
    command: string,
    options: TSshOptions = {},
  ): Promise<TCommandResult> {
    return runCommand(
      [
        "ssh",
        "-i",
        this.image.sshKey,
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "ConnectTimeout=10",
        `${options.user ?? "root"}@${guest.address}`,
        command,
      ],
      {
        input: options.input,
        allowFailure: options.allowFailure,
        timeoutMs: options.timeoutMs ?? 120_000,
      },
    );
  }

  /** Copy a local file into the guest (root). */
  async copyTo(guest: Pick<TGuest, "address">, localPath: string, remotePath: string) {
    const { readFile } = await import("node:fs/promises");
    await this.ssh(guest, `cat > '${remotePath}'`, {
      input: await readFile(localPath, "utf8"),
    });
  }
}
