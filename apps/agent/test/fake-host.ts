// A fake runner that models a Linux host (links, addresses, WireGuard devices, sysctls,
// processes, and optionally a managed FRR) well enough for the agent's commands, THROWS at any
// command it does not know (like tailscale's fakeOS), and dumps its state as text for
// assertions (in the spirit of tailscale's TestRouterStates).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { TCommandResult, TRunner, TRunOptions } from "../src/exec/run-command";
import { HostDriver } from "../src/host/host-driver";
import type { TLogger } from "../src/log";
import type { StateStore } from "../src/state/state-store";
import type { FakeFrr } from "./fake-frr";

interface TFakePeer {
  publicKey: string;
  endpoint: string | null;
  allowedIps: string;
  keepalive: number;
}

interface TFakeLink {
  name: string;
  kind: "loopback" | "ether" | "wireguard" | "dummy" | "tun";
  mtu: number;
  isUp: boolean;
  addresses: string[];
  wireguard: { privateKey: string | null; listenPort: number; peers: TFakePeer[] } | null;
}

/** Options of FakeHost. */
export interface TFakeHostOptions {
  hasKernelWireguard: boolean;
  hasDummy: boolean;
  /** Private key -> public key, for `wg set ... private-key` and `wg pubkey`. */
  keys: Record<string, string>;
  /** Folder where fake wireguard-go "creates" its control sockets. */
  socketDir: string;
  /** A managed FRR living on this host (its commands and daemons go to it). */
  frr?: FakeFrr;
}

const ok = (stdout = ""): TCommandResult => ({ code: 0, stdout, stderr: "" });
const fail = (stderr: string, code = 1): TCommandResult => ({ code, stdout: "", stderr });

/** The fake host. */
export class FakeHost implements TRunner {
  links: TFakeLink[] = [
    {
      name: "lo",
      kind: "loopback",
      mtu: 65536,
      isUp: true,
      addresses: ["127.0.0.1/8", "::1/128"],
      wireguard: null,
    },
    {
      name: "eth0",
      kind: "ether",
      mtu: 1500,
      isUp: true,
      addresses: ["2001:db8::1/64"],
      wireguard: null,
    },
  ];
  sysctls: Record<string, string> = {
    "net.ipv4.ip_forward": "0",
    "net.ipv6.conf.all.forwarding": "0",
    "net.ipv4.conf.eth0.rp_filter": "1",
    // Ubuntu's values: loose filtering on `all` and on every link created later (default).
    "net.ipv4.conf.all.rp_filter": "2",
  };
  /** meshover's handover table (prefix → device) and the families whose rule looks it up. */
  handoverRoutes = new Map<string, string>();
  handoverRules = new Set<string>();
  /** Every command that changed something, in order. */
  mutations: string[] = [];
  /** Commands the fake did not understand; each also threw at the call. */
  unexpected: string[] = [];
  /** Unix seconds of every up tunnel's latest handshake (0: peers never answered). */
  handshakeAt = 0;
  /** Make the next command whose text starts with this prefix fail once. */
  failNext: string | null = null;
  private nextPid = 90001;
  private nextKey = 0;
  readonly processes = new Map<number, string>();

  constructor(readonly options: TFakeHostOptions) {
    mkdirSync(options.socketDir, { recursive: true });
  }

  /** Liveness of fake processes (wireguard-go, FRR daemons). */
  isAlive(pid: number, marker: string): boolean {
    return this.processes.get(pid)?.includes(marker) ?? false;
  }

  /** A signal to a fake process: it exits at once (recorded as a mutation). */
  kill(pid: number, signal: "SIGTERM" | "SIGKILL"): boolean {
    if (!this.processes.has(pid)) return false;
    this.processes.delete(pid);
    this.options.frr?.stopped(pid);
    this.mutations.push(`kill -${signal.slice(3)} ${pid}`);
    return true;
  }

  private reject(text: string): never {
    this.unexpected.push(text);
    throw new Error(`fake host: unexpected command ${text}`);
  }

  /** Read a sysctl like /proc/sys would. */
  readSysctl = (key: string): string | undefined => this.sysctls[key];

  /** Write a sysctl like /proc/sys would (recorded as the equivalent sysctl command). */
  writeSysctl = (key: string, value: string): void => {
    const device = /\.conf\.([^.]+)\./.exec(key)?.[1];
    if (device !== undefined && !["all", "default"].includes(device) && !this.link(device)) {
      throw new Error(`sysctl ${key}=${value}: ENOENT: no such file or directory`);
    }
    this.sysctls[key] = value;
    this.mutations.push(`sysctl -q -w ${key}=${value}`);
  };

  private link(name: string): TFakeLink | undefined {
    return this.links.find((link) => link.name === name);
  }

  private addLink(name: string, kind: TFakeLink["kind"]): void {
    this.links.push({
      name,
      kind,
      mtu: kind === "dummy" ? 1500 : 1420,
      isUp: false,
      addresses: [],
      wireguard:
        kind === "wireguard" || kind === "tun"
          ? { privateKey: null, listenPort: 0, peers: [] }
          : null,
    });
    this.sysctls[`net.ipv4.conf.${name}.rp_filter`] = "2";
  }

  private removeLink(name: string): void {
    this.links = this.links.filter((link) => link.name !== name);
    // The kernel drops the routes through a link with it.
    for (const [prefix, device] of this.handoverRoutes) {
      if (device === name) this.handoverRoutes.delete(prefix);
    }
    for (const key of Object.keys(this.sysctls)) {
      if (key.includes(`.conf.${name}.`)) delete this.sysctls[key];
    }
    // wireguard-go exits once its tun is gone.
    for (const [pid, argv] of this.processes) {
      if (argv === `wireguard-go -f ${name}`) this.processes.delete(pid);
    }
    rmSync(`${this.options.socketDir}/${name}.sock`, { force: true });
  }

  run(argv: readonly string[], options: TRunOptions = {}): Promise<TCommandResult> {
    const text = argv.join(" ");
    if (this.failNext && text.startsWith(this.failNext)) {
      this.failNext = null;
      return Promise.resolve(fail(`injected failure: ${text}`));
    }
    const result = this.execute([...argv], options) ?? this.options.frr?.execute(argv) ?? null;
    if (result === null) return this.reject(text);
    if (result.code === 0 && this.options.frr?.changes.length) {
      this.mutations.push(...this.options.frr.changes.map((change) => `frr: ${change}`));
      this.options.frr.changes = [];
    }
    return Promise.resolve(result);
  }

  spawnDaemon(argv: readonly string[]): Promise<number> {
    const [file, flag, device] = argv;
    const pid = this.nextPid++;
    if (this.options.frr?.spawn(argv, pid)) {
      this.processes.set(pid, argv.join(" "));
      this.mutations.push(`spawn ${argv.slice(0, 3).join(" ")}`);
      return Promise.resolve(pid);
    }
    if (file !== "wireguard-go" || flag !== "-f" || !device) return this.reject(argv.join(" "));
    this.processes.set(pid, argv.join(" "));
    this.addLink(device, "tun");
    writeFileSync(`${this.options.socketDir}/${device}.sock`, "");
    this.mutations.push(`spawn ${argv.join(" ")}`);
    return Promise.resolve(pid);
  }

  private mutate(argv: string[], result: TCommandResult): TCommandResult {
    if (result.code === 0) this.mutations.push(argv.join(" "));
    return result;
  }

  private execute(argv: string[], options: TRunOptions): TCommandResult | null {
    const text = argv.join(" ");
    // A host with hardware virtualization (the agent picks BFD timers from this fact).
    if (text === "systemd-detect-virt --vm") return ok("kvm\n");
    if (text === "ip -d -json link show") return ok(JSON.stringify(this.renderLinks()));
    if (text === "ip -json addr show") return ok(JSON.stringify(this.renderAddresses()));
    if (text === "ip -d -json addr show") {
      const addresses = this.renderAddresses() as { addr_info: unknown[] }[];
      const links = this.renderLinks() as object[];
      return ok(JSON.stringify(links.map((link, i) => ({ ...link, ...addresses[i] }))));
    }
    if (text === "wg show all dump") return ok(this.renderDump());
    if (text === "wg genkey") {
      const key = Object.keys(this.options.keys)[this.nextKey++];
      return key ? ok(`${key}\n`) : fail("fake host: out of keys");
    }
    if (text === "wg pubkey") {
      const publicKey = this.options.keys[(options.input ?? "").trim()];
      return publicKey ? ok(`${publicKey}\n`) : fail("invalid key");
    }
    const [tool, ...args] = argv;
    if (text === "ip -batch -") return this.executeIpBatch(options.input ?? "");
    if (tool === "ip") return this.executeIp(argv, args);
    if (tool === "wg" && args[0] === "set") return this.executeWgSet(argv, args.slice(1));
    if (tool === "ping") return this.executePing(args);
    if (tool === "install" && args[0] === "-d") {
      for (const path of args.filter((arg) => arg.startsWith("/")))
        mkdirSync(path, { recursive: true });
      return ok();
    }
    if (tool === "chown" && args[0] === "frr:frr") return ok();
    if (tool === "rm" && args[0] === "-rf" && args[1] === "--one-file-system" && args[2]) {
      rmSync(args[2], { recursive: true, force: true });
      return this.mutate(argv, ok());
    }
    return null;
  }

  // `ping -6 -n -c 1 ... <address>%<device>`: answers over a tunnel that is up with a peer
  // (the far end is not modelled: every peer answers in 0.1 ms, any size fits).
  private executePing(args: string[]): TCommandResult {
    const device = args.at(-1)?.split("%")[1] ?? "";
    const link = this.link(device);
    if (!link?.isUp || !link.wireguard?.peers.length)
      return fail("1 packets transmitted, 0 received");
    return ok("64 bytes from peer: icmp_seq=1 ttl=64 time=0.10 ms\n");
  }

  // `ip -batch -`: one command per line, stopping at the first failure; each recorded as the
  // `ip` command it stands for.
  private executeIpBatch(input: string): TCommandResult | null {
    for (const [index, line] of input.split("\n").filter(Boolean).entries()) {
      const args = line.trim().split(/\s+/);
      const text = ["ip", ...args].join(" ");
      if (this.failNext && text.startsWith(this.failNext)) {
        this.failNext = null;
        return fail(`injected failure: ${text}\nCommand failed -:${index + 1}`);
      }
      const result = this.executeIp(["ip", ...args], args);
      if (result === null) return null;
      if (result.code !== 0)
        return fail(`${result.stderr}\nCommand failed -:${index + 1}`, result.code);
    }
    return ok();
  }

  private executeIp(argv: string[], args: string[]): TCommandResult | null {
    const text = args.join(" ");
    const policy = this.executePolicyRouting(argv, text);
    if (policy) return policy;
    let match = /^link add dev (\S+) type (wireguard|dummy)$/.exec(text);
    if (match?.[1] && match[2]) {
      const supported =
        match[2] === "wireguard" ? this.options.hasKernelWireguard : this.options.hasDummy;
      if (!supported) return fail("Error: Unknown device type.", 2);
      if (this.link(match[1])) return fail("RTNETLINK answers: File exists", 2);
      this.addLink(match[1], match[2] as "wireguard" | "dummy");
      return this.mutate(argv, ok());
    }
    match = /^link del dev (\S+)$/.exec(text);
    if (match?.[1]) {
      if (!this.link(match[1])) return fail(`Cannot find device "${match[1]}"`, 1);
      this.removeLink(match[1]);
      return this.mutate(argv, ok());
    }
    match = /^link show dev (\S+)$/.exec(text);
    if (match?.[1])
      return this.link(match[1]) ? ok("") : fail(`Device "${match[1]}" does not exist.`);
    match = /^link set dev (\S+) (up|mtu (\d+))$/.exec(text);
    if (match?.[1]) {
      const link = this.link(match[1]);
      if (!link) return fail(`Cannot find device "${match[1]}"`);
      if (match[2] === "up") link.isUp = true;
      else link.mtu = Number(match[3]);
      return this.mutate(argv, ok());
    }
    match = /^(?:-[46] )?addr (add|del) (\S+) dev (\S+)( nodad)?$/.exec(text);
    if (match?.[2] && match[3]) {
      const link = this.link(match[3]);
      if (!link) return fail(`Cannot find device "${match[3]}"`);
      const has = link.addresses.includes(match[2]);
      if (match[1] === "add") {
        if (has) return fail("RTNETLINK answers: File exists", 2);
        link.addresses.push(match[2]);
      } else {
        if (!has) return fail("RTNETLINK answers: Cannot assign requested address", 2);
        link.addresses = link.addresses.filter((cidr) => cidr !== match?.[2]);
      }
      return this.mutate(argv, ok());
    }
    return null;
  }

  // meshover's handover table and its rules (sources/handover-routes.ts), one per family.
  private executePolicyRouting(argv: string[], text: string): TCommandResult | null {
    const familyOf = (prefix: string) => (prefix.includes(":") ? "-6" : "-4");
    let match = /^(-[46]) -json route show table 4261$/.exec(text);
    if (match) {
      const routes = [...this.handoverRoutes].filter(([prefix]) => familyOf(prefix) === match![1]);
      // As the kernel answers for a table nothing was ever put in.
      if (routes.length === 0)
        return fail("Error: ipv4: FIB table does not exist.\nDump terminated", 2);
      return ok(
        JSON.stringify(routes.map(([prefix, dev]) => ({ dst: prefix.split("/")[0], dev }))),
      );
    }
    match = /^(-[46]) route flush table 4261$/.exec(text);
    if (match) {
      const gone = [...this.handoverRoutes.keys()].filter(
        (prefix) => familyOf(prefix) === match![1],
      );
      for (const prefix of gone) this.handoverRoutes.delete(prefix);
      return gone.length > 0 ? this.mutate(argv, ok()) : ok();
    }
    match = /^(-[46]) -json rule show$/.exec(text);
    if (match) {
      const rules = [{ priority: 0, src: "all", table: "local" }];
      if (this.handoverRules.has(match[1]!))
        rules.push({ priority: 32700, src: "all", table: "4261" });
      return ok(JSON.stringify(rules));
    }
    match = /^(-[46]) rule (add|del) priority 32700 table 4261$/.exec(text);
    if (match) {
      const has = this.handoverRules.has(match[1]!);
      if (match[2] === "add" ? has : !has) return fail("RTNETLINK answers: File exists", 2);
      if (match[2] === "add") this.handoverRules.add(match[1]!);
      else this.handoverRules.delete(match[1]!);
      return this.mutate(argv, ok());
    }
    match = /^route replace (\S+) dev (\S+) table 4261$/.exec(text);
    if (match?.[1] && match[2]) {
      if (!this.link(match[2])) return fail(`Cannot find device "${match[2]}"`);
      this.handoverRoutes.set(match[1], match[2]);
      return this.mutate(argv, ok());
    }
    match = /^route del (\S+) table 4261$/.exec(text);
    if (match?.[1]) {
      if (!this.handoverRoutes.delete(match[1]))
        return fail("RTNETLINK answers: No such process", 2);
      return this.mutate(argv, ok());
    }
    return null;
  }

  // `wg set DEV [private-key FILE] [listen-port N] [peer KEY [remove | endpoint E | allowed-ips A
  // | persistent-keepalive K]...]...`, as wg(8) takes it.
  private executeWgSet(argv: string[], args: string[]): TCommandResult | null {
    const [device = "", ...rest] = args;
    const wireguard = this.link(device)?.wireguard;
    if (!wireguard) return fail(`Unable to modify interface: No such device`);
    const shown = [...argv];
    let index = 0;
    while (index < rest.length && rest[index] !== "peer") {
      const [option, value] = [rest[index], rest[index + 1]];
      if (value === undefined) return null;
      if (option === "private-key") {
        wireguard.privateKey = readFileSync(value, "utf8").trim();
        shown[3 + index + 1] = "<keyfile>";
      } else if (option === "listen-port") wireguard.listenPort = Number(value);
      else return null;
      index += 2;
    }
    while (index < rest.length) {
      const publicKey = rest[index + 1];
      if (rest[index] !== "peer" || !publicKey) return null;
      index += 2;
      if (rest[index] === "remove") {
        wireguard.peers = wireguard.peers.filter((peer) => peer.publicKey !== publicKey);
        index += 1;
        continue;
      }
      const peer: TFakePeer = wireguard.peers.find((p) => p.publicKey === publicKey) ?? {
        publicKey,
        endpoint: null,
        allowedIps: "(none)",
        keepalive: 0,
      };
      while (index < rest.length && rest[index] !== "peer") {
        const value = rest[index + 1] ?? "";
        if (rest[index] === "endpoint") peer.endpoint = value;
        else if (rest[index] === "allowed-ips") peer.allowedIps = value;
        else if (rest[index] === "persistent-keepalive")
          peer.keepalive = value === "off" ? 0 : Number(value);
        else return null;
        index += 2;
      }
      wireguard.peers = [...wireguard.peers.filter((p) => p.publicKey !== publicKey), peer];
    }
    return this.mutate(shown, ok());
  }

  private renderLinks(): unknown[] {
    return this.links.map((link, index) => ({
      ifindex: index + 1,
      ifname: link.name,
      flags: link.isUp ? ["UP", "LOWER_UP"] : [],
      mtu: link.mtu,
      link_type: link.kind === "loopback" ? "loopback" : link.kind === "ether" ? "ether" : "none",
      ...(link.kind === "loopback" || link.kind === "ether"
        ? {}
        : { linkinfo: { info_kind: link.kind } }),
    }));
  }

  private renderAddresses(): unknown[] {
    return this.links.map((link, index) => ({
      ifindex: index + 1,
      ifname: link.name,
      addr_info: link.addresses.map((cidr) => {
        const [local, length] = cidr.split("/");
        return { family: cidr.includes(":") ? "inet6" : "inet", local, prefixlen: Number(length) };
      }),
    }));
  }

  private renderDump(): string {
    const lines: string[] = [];
    for (const link of this.links) {
      const wg = link.wireguard;
      if (!wg) continue;
      const publicKey = wg.privateKey ? (this.options.keys[wg.privateKey] ?? "(none)") : "(none)";
      lines.push(
        [link.name, wg.privateKey ?? "(none)", publicKey, String(wg.listenPort), "off"].join("\t"),
      );
      for (const peer of wg.peers) {
        lines.push(
          [
            link.name,
            peer.publicKey,
            "(none)",
            peer.endpoint ?? "(none)",
            peer.allowedIps,
            link.isUp ? String(this.handshakeAt) : "0",
            "0",
            "0",
            peer.keepalive === 0 ? "off" : String(peer.keepalive),
          ].join("\t"),
        );
      }
    }
    return lines.length > 0 ? `${lines.join("\n")}\n` : "";
  }

  /** The host as text: links with addresses and WireGuard settings, then non-default sysctls. */
  dump(): string {
    const lines: string[] = [];
    for (const link of [...this.links].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(
        `${link.name} ${link.kind} ${link.isUp ? "up" : "down"} mtu ${link.mtu} ${[...link.addresses].sort().join(" ")}`.trimEnd(),
      );
      if (link.wireguard) {
        const key = link.wireguard.privateKey
          ? (this.options.keys[link.wireguard.privateKey] ?? "?")
          : "-";
        lines.push(`  wg pub=${key.slice(0, 8)} port=${link.wireguard.listenPort}`);
        for (const peer of link.wireguard.peers) {
          lines.push(
            `  peer ${peer.publicKey.slice(0, 8)} endpoint=${peer.endpoint ?? "-"} allowed=${peer.allowedIps} keepalive=${peer.keepalive}`,
          );
        }
      }
    }
    for (const key of Object.keys(this.sysctls).sort())
      lines.push(`sysctl ${key}=${this.sysctls[key]}`);
    if (this.options.frr) lines.push(this.options.frr.dump());
    return lines.join("\n");
  }

  /** The mutations since the last call, as text. */
  takeMutations(): string {
    const text = this.mutations.join("\n");
    this.mutations = [];
    return text;
  }
}

/** A HostDriver whose every command, sysctl and process goes to `fake` (pollMs 1). */
export function createFakeHostDriver(
  fake: FakeHost,
  options: { store: StateStore; logger: TLogger },
): HostDriver {
  return new HostDriver({
    runner: fake,
    logger: options.logger,
    store: options.store,
    readSysctl: fake.readSysctl,
    writeSysctl: fake.writeSysctl,
    socketDir: fake.options.socketDir,
    pollMs: 1,
  });
}
