// A fake managed FRR for the fake host: models the daemons (PIDs, vty sockets), the startup
// file and the running config, and understands exactly the commands the managed adapter runs
// (vtysh -b, show running-config/version, frr-reload.py --reload, the targeted neighbor
// commands). Anything else throws at the call. The running config is text that netcfg's
// parseFrrRunningConfig reads back, as from the real FRR.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { parseFrrRunningConfig } from "@meshover/netcfg";
import type { TCommandResult } from "../src/exec/run-command";

const ok = (stdout = ""): TCommandResult => ({ code: 0, stdout, stderr: "" });
const fail = (stderr: string): TCommandResult => ({ code: 1, stdout: "", stderr });

/** The daemons a managed FRR runs. */
const DAEMONS = ["zebra", "bgpd", "bfdd", "staticd"];

/** FRR inside the fake host (one path space). */
export class FakeFrr {
  /** Running config lines; null while the daemons are not all up. */
  running: string[] | null = null;
  readonly pids = new Map<string, number>();
  /** Every change to the running config, in order (for mutation dumps). */
  changes: string[] = [];
  /** Each daemon's vty socket: a real listening unix socket, as the adapter connects to it. */
  private readonly vtys = new Map<string, Server>();

  constructor(readonly options: { pathspace: string; etcDir: string; runRoot: string }) {}

  private get runDir(): string {
    return `${this.options.runRoot}/${this.options.pathspace}`;
  }
  private get startupFile(): string {
    return `${this.options.etcDir}/${this.options.pathspace}/frr.conf`;
  }

  /** A daemon started by the agent: `/usr/lib/frr/<daemon> -N <pathspace> ...`. */
  spawn(argv: readonly string[], pid: number): boolean {
    const daemon = /^\/usr\/lib\/frr\/(\w+)$/.exec(argv[0] ?? "")?.[1];
    if (!daemon || !DAEMONS.includes(daemon) || argv[2] !== this.options.pathspace) return false;
    this.pids.set(daemon, pid);
    mkdirSync(this.runDir, { recursive: true });
    const vty = createServer((connection) => connection.destroy());
    vty.listen(`${this.runDir}/${daemon}.vty`).unref();
    this.vtys.set(daemon, vty);
    if (daemon === "zebra") writeFileSync(`${this.runDir}/zserv.api`, "");
    return true;
  }

  /** A process of this FRR was stopped. */
  stopped(pid: number): void {
    for (const [daemon, known] of this.pids) {
      if (known !== pid) continue;
      this.pids.delete(daemon);
      this.vtys.get(daemon)?.close();
      this.vtys.delete(daemon);
    }
    rmSync(this.runDir, { recursive: true, force: true });
    this.running = null;
  }

  /** Whether `pid` is one of the daemons. */
  isDaemon(pid: number): boolean {
    return [...this.pids.values()].includes(pid);
  }

  private get isUp(): boolean {
    return this.pids.size === DAEMONS.length;
  }

  /** The result of one command, or null when it is not FRR's. */
  execute(argv: readonly string[]): TCommandResult | null {
    const [tool, ...args] = argv;
    if (tool === "/usr/lib/frr/frr-reload.py") {
      if (args.join(" ") !== `--pathspace ${this.options.pathspace} --reload ${this.startupFile}`)
        return null;
      return this.load(readFileSync(this.startupFile, "utf8"), "frr-reload.py --reload");
    }
    if (tool !== "vtysh" || args[0] !== "-N" || args[1] !== this.options.pathspace) return null;
    if (!this.isUp) return fail("Exiting: failed to connect to any daemons.");
    const rest = args.slice(2);
    if (rest.join(" ") === "-b") {
      // The real vtysh -b skips a daemon not listening yet and leaves it empty.
      if (![...this.vtys.values()].every((vty) => vty.listening))
        return fail("fake: vtysh -b before every daemon listens");
      return this.load(readFileSync(this.startupFile, "utf8"), "vtysh -b");
    }
    const commands = rest.filter((_, index) => index % 2 === 1);
    if (rest.some((arg, index) => index % 2 === 0 && arg !== "-c")) return null;
    const [first] = commands;
    if (commands.length === 1 && first === "show running-config") {
      return ok(
        `Building configuration...\n\nCurrent configuration:\n${(this.running ?? []).join("\n")}\n`,
      );
    }
    if (commands.length === 1 && first === "show version") return ok("FRRouting 8.4.4 (fake).\n");
    if (commands.every((command) => command.startsWith("clear bgp "))) return ok();
    if (first !== "configure terminal") return null;
    // Several changes in one call, `end` between them (managed-frr.ts).
    const segments: string[][] = [[]];
    for (const command of commands) {
      if (command === "end") segments.push([]);
      else segments.at(-1)!.push(command);
    }
    for (const segment of segments) {
      if (segment[0] !== "configure terminal") return null;
      const result = this.configure(segment.slice(1));
      if (result === null || result.code !== 0) return result;
    }
    return ok();
  }

  private load(text: string, how: string): TCommandResult {
    this.running = text.split("\n").filter((line) => line !== "end" && line !== "");
    this.changes.push(how);
    return ok();
  }

  /** The neighbor commands render-frr-commands.ts emits, applied to the running lines. */
  private configure(commands: string[]): TCommandResult | null {
    const lines = this.running ?? [];
    for (let index = 0; index < commands.length; index += 1) {
      const command = commands[index] ?? "";
      if (command.startsWith("interface ")) {
        const stanza = [command];
        while (commands[index + 1] !== "exit") stanza.push(` ${commands[++index] ?? ""}`);
        index += 1;
        const at = lines.findIndex((line) => line.startsWith("router bgp "));
        if (!lines.includes(command)) lines.splice(at, 0, ...stanza, "exit", "!");
      } else if (/^router bgp \d+$/.test(command)) {
        if (!lines.includes(command)) return fail(`% no ${command}`);
      } else if (/^neighbor \S+ (interface peer-group|description) /.test(command)) {
        const bgp = lines.findIndex((line) => line.startsWith("router bgp "));
        const at = lines.findIndex((line, i) => i > bgp && line.startsWith(" !"));
        lines.splice(at, 0, ` ${command}`);
      } else if (/^no neighbor \S+$/.test(command)) {
        const device = command.split(" ")[2];
        this.running = lines.filter((line) => !line.startsWith(` neighbor ${device} `));
      } else if (command === "exit" || command === "bfd") {
        // Back to the config node, into the bfd node: where the peer commands below go.
      } else if (/^peer \S+ interface \S+$/.test(command) && commands[index + 1]) {
        const profile = commands[++index] ?? "";
        if (commands[++index] !== "exit") return null;
        const end = lines.indexOf("exit", lines.indexOf("bfd"));
        if (!lines.includes(` ${command}`))
          lines.splice(end, 0, ` ${command}`, `  ${profile}`, " exit", " !");
      } else if (/^no peer \S+ interface \S+$/.test(command)) {
        const current = this.running ?? lines;
        const at = current.indexOf(` ${command.slice(3)}`);
        if (at >= 0) current.splice(at, 4);
      } else {
        return null;
      }
    }
    this.changes.push(`vtysh ${commands.join("; ")}`);
    return ok();
  }

  /** meshover's part of the running FRR as one line, for state dumps. */
  dump(): string {
    if (!this.running) return "frr down";
    const state = parseFrrRunningConfig(this.running.join("\n"));
    if (!state) return "frr up, no bgp";
    const networks = [...state.ipv4Networks, ...state.ipv6Networks].join(",");
    return `frr asn=${state.asn} networks=${networks} neighbors=${state.neighbors.join(",") || "-"}`;
  }
}

/** Folders and path space of a fake managed FRR under `dir`. */
export function makeFakeFrrOptions(dir: string) {
  return {
    pathspace: "mo-test",
    etcDir: `${dir}/etc-frr`,
    runRoot: `${dir}/run-frr`,
    frrOwner: null,
  };
}
