// FRR in one of three modes: `managed` (the agent runs its own zebra/bgpd/bfdd/staticd with a
// private `-N` path space: one FRR per network namespace), `system` (the host's FRR service;
// meshover's block of /etc/frr/frr.conf, applied with frr-reload.py under a lock), or `none`.
// Per-neighbor changes go through targeted vtysh commands so no other session is reset.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  parseFrrRunningConfig,
  renderFrrConfig,
  type TFrrConfig,
  type TFrrState,
  type TOpFrrAddNeighbor,
  type TOpFrrRemoveNeighbor,
  type TOpFrrSetBase,
} from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import { isProcessAlive, stopProcess } from "../host/process-alive";
import type { TLogger } from "../log";
import type { StateStore, TOwnedRecord } from "../state/state-store";
import { renderAddNeighborCommands, renderRemoveNeighborCommands } from "./frr-commands";

/** How the agent runs FRR. */
export type TFrrMode = "system" | "managed" | "none";

/** Daemons a managed FRR consists of, in start order. */
export const MANAGED_DAEMONS = ["zebra", "bgpd", "bfdd", "staticd"] as const;

const FRR_BIN = "/usr/lib/frr";
/** How long a read FRR version is reused. */
const VERSION_CACHE_MS = 10 * 60_000;
const FRR_RELOAD = `${FRR_BIN}/frr-reload.py`;
const SYSTEM_LOCK = "/run/lock/meshover-frr.lock";
const BLOCK_BEGIN = "! meshover begin (managed by meshover-agent; do not edit)";
const BLOCK_END = "! meshover end";

/** An FRR operation from a plan. */
export type TFrrOperation = TOpFrrSetBase | TOpFrrAddNeighbor | TOpFrrRemoveNeighbor;

/** Options of FrrDriver. */
export interface TFrrDriverOptions {
  mode: TFrrMode;
  runner: TRunner;
  logger: TLogger;
  store: StateStore;
  /** Path space for managed mode (`-N`). */
  pathspace: string;
  /** FRR's config root (tests use a temporary folder). */
  etcDir?: string;
  /** FRR's run root. */
  runRoot?: string;
}

/** Drives FRR for the reconcile loop. */
export class FrrDriver {
  readonly mode: TFrrMode;
  private readonly runner: TRunner;
  private readonly logger: TLogger;
  private readonly store: StateStore;
  readonly pathspace: string;
  /**
   * FRR's meshover state as of the last full read or successful apply. The agent is FRR's only
   * writer for this part, so config-triggered passes plan from it and skip the slow vtysh
   * round trip; periodic resyncs read FRR again to catch drift.
   */
  private known: TFrrState | null = null;
  private version: { value: string; at: number } | null = null;
  private readonly etcDir: string;
  private readonly runRoot: string;

  constructor(options: TFrrDriverOptions) {
    this.mode = options.mode;
    this.runner = options.runner;
    this.logger = options.logger;
    this.store = options.store;
    this.pathspace = options.pathspace;
    this.etcDir = options.etcDir ?? "/etc/frr";
    this.runRoot = options.runRoot ?? "/var/run/frr";
  }

  private get configDir(): string {
    return `${this.etcDir}/${this.pathspace}`;
  }
  private get runDir(): string {
    return `${this.runRoot}/${this.pathspace}`;
  }
  /** The config file meshover writes. */
  get configFile(): string {
    return this.mode === "managed" ? `${this.configDir}/frr.conf` : `${this.etcDir}/frr.conf`;
  }

  /** vtysh argv prefix for this FRR. */
  vtysh(): string[] {
    return this.mode === "managed" ? ["vtysh", "-N", this.pathspace] : ["vtysh"];
  }

  /** Run one vtysh show command and return its stdout (throws on failure). */
  async show(command: string): Promise<string> {
    const result = await runChecked(this.runner, [...this.vtysh(), "-c", command], {
      timeoutMs: 10_000,
    });
    return result.stdout;
  }

  /** FRR's version string (e.g. `8.4.4`), null when unknown. */
  async readVersion(): Promise<string | null> {
    if (this.mode === "none") return null;
    // Every health report carries it: ask vtysh (a process that connects to every daemon) once
    // every 10 minutes, not every 5 seconds; an upgrade shows up within that.
    const now = Date.now();
    if (this.version && now - this.version.at < VERSION_CACHE_MS) return this.version.value;
    try {
      const value = /FRRouting (\S+)/.exec(await this.show("show version"))?.[1] ?? null;
      this.version = value === null ? null : { value, at: now };
      return value;
    } catch {
      return null;
    }
  }

  /** True when every managed daemon recorded in `owned` still runs. */
  isManagedRunning(owned: TOwnedRecord): boolean {
    const pids = owned.frr?.pids ?? {};
    return MANAGED_DAEMONS.every((daemon) => {
      const pid = pids[daemon];
      return pid !== undefined && isProcessAlive(pid, this.pathspace);
    });
  }

  /** Whether {@link ensureRunning} would start the managed daemons now. */
  isStartNeeded(): boolean {
    return this.mode === "managed" && !this.isManagedRunning(this.store.readOwned());
  }

  /**
   * Managed mode: start the daemons when any is missing (after stopping the rest), loading
   * `model` as the startup config, so FRR runs exactly `model` once this resolves. The PIDs and
   * folders are merged into the ownership record as they appear. Other modes: no-op.
   */
  async ensureRunning(model: TFrrConfig): Promise<void> {
    if (!this.isStartNeeded()) return;
    const owned = this.store.readOwned();
    this.known = null;
    for (const [daemon, pid] of Object.entries(owned.frr?.pids ?? {})) {
      this.logger.warn({ daemon, pid }, "managed FRR daemon gone: restarting FRR");
      await stopProcess(pid, this.pathspace);
    }
    await runChecked(this.runner, [
      ...["install", "-d", "-o", "frr", "-g", "frr", "-m", "0755"],
      ...[this.configDir, this.runDir],
    ]);
    this.writeManagedConfig(model);
    writeFileSync(`${this.configDir}/vtysh.conf`, "service integrated-vtysh-config\n", {
      mode: 0o640,
    });
    await runChecked(this.runner, [
      "chown",
      "frr:frr",
      `${this.configDir}/frr.conf`,
      `${this.configDir}/vtysh.conf`,
    ]);
    const pids: Record<string, number> = {};
    const record = () =>
      this.store.updateOwned((current) => ({
        ...current,
        frr: { pathspace: this.pathspace, pids: { ...pids } },
        paths: [...new Set([...current.paths, this.configDir, this.runDir])],
      }));
    record();
    for (const daemon of MANAGED_DAEMONS) {
      pids[daemon] = await this.runner.spawnDaemon(
        [
          `${FRR_BIN}/${daemon}`,
          "-N",
          this.pathspace,
          "-P",
          "0",
          "-u",
          "frr",
          "-g",
          "frr",
          "--log",
          "stdout",
        ],
        { logFile: this.store.path(`logs/frr-${daemon}.log`) },
      );
      // Record each PID at once so a crash here still lets `leave` stop it.
      record();
    }
    await this.waitForVtysh();
    await runChecked(this.runner, [...this.vtysh(), "-b"], { timeoutMs: 30_000 });
    this.logger.info({ pathspace: this.pathspace, pids }, "managed FRR started");
  }

  private async waitForVtysh(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = MANAGED_DAEMONS.every((daemon) => existsSync(`${this.runDir}/${daemon}.vty`));
      if (ready) {
        const result = await this.runner.run([...this.vtysh(), "-c", "show version"]);
        if (result.code === 0) return;
      }
      if (Date.now() > deadline) throw new Error("managed FRR did not come up within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private writeManagedConfig(model: TFrrConfig): void {
    writeFileSync(this.configFile, renderFrrConfig(model), { mode: 0o640 });
  }

  private readSystemConfig(): string {
    return existsSync(this.configFile) ? readFileSync(this.configFile, "utf8") : "";
  }

  /** The system config without meshover's block. */
  private readSystemConfigOutsideBlock(): string {
    const current = this.readSystemConfig();
    const begin = current.indexOf(BLOCK_BEGIN);
    const end = current.indexOf(BLOCK_END);
    return begin >= 0 && end > begin
      ? current.slice(0, begin) + current.slice(end + BLOCK_END.length + 1)
      : current;
  }

  private writeSystemConfig(model: TFrrConfig | null): string {
    const outside = this.readSystemConfigOutsideBlock();
    // FRR's `end` would end the file for frr-reload.py: leave it out of the block.
    const text = model ? renderFrrConfig(model).replace(/^end\n$/m, "") : "";
    const block = model ? `${BLOCK_BEGIN}\n${text}${BLOCK_END}\n` : "";
    const candidate = `${outside.trimEnd()}\n${block}`;
    const file = this.store.path("frr-candidate.conf");
    writeFileSync(file, candidate, { mode: 0o640 });
    return file;
  }

  /**
   * FRR's meshover state, or null when FRR is down or has no BGP instance. With `isFresh`
   * false, the state known from the last read or apply is returned when there is one.
   */
  async observe(isFresh = true): Promise<TFrrState | null> {
    if (this.mode === "none") return null;
    if (!isFresh && this.known) return this.known;
    const result = await this.runner.run([...this.vtysh(), "-c", "show running-config"], {
      timeoutMs: 10_000,
    });
    this.known = result.code === 0 ? parseFrrRunningConfig(result.stdout) : null;
    return this.known;
  }

  /**
   * Apply the plan's FRR operations. `model` is the complete FRR configuration they lead to
   * (rendered for reloads and the startup file), `desired` the same in the planner's terms.
   */
  async apply(
    operations: readonly TFrrOperation[],
    model: TFrrConfig,
    desired: TFrrState,
  ): Promise<void> {
    if (this.mode === "none" || operations.length === 0) return;
    // Unknown until this apply succeeds: a failure makes the next pass read FRR again.
    this.known = null;
    await this.applyOperations(operations, model);
    this.known = desired;
  }

  private async applyOperations(
    operations: readonly TFrrOperation[],
    model: TFrrConfig,
  ): Promise<void> {
    const hasBase = operations.some((operation) => operation.op === "frr-set-base");
    if (hasBase) {
      // A global change: let frr-reload.py compute and apply the line diff (sessions whose
      // lines did not change are left alone).
      await this.reloadWhole(model);
      await this.refreshInboundRoutes();
      return;
    }
    for (const operation of operations) {
      if (operation.op === "frr-set-base") continue;
      const commands =
        operation.op === "frr-add-neighbor"
          ? renderAddNeighborCommands(model, operation.device)
          : renderRemoveNeighborCommands(model, operation.device);
      const argv = [...this.vtysh(), ...commands.flatMap((command) => ["-c", command])];
      await runChecked(
        this.runner,
        this.mode === "system" ? ["flock", SYSTEM_LOCK, ...argv] : argv,
      );
    }
    // Keep the file FRR starts from in step with what is running.
    if (this.mode === "managed") this.writeManagedConfig(model);
    else await this.reloadWhole(model);
  }

  /**
   * Ask every peer to resend its routes (route refresh: no session reset). bgpd does not
   * re-run a changed inbound prefix list over routes it already dropped, so a prefix that was
   * announced before our filter admitted it would otherwise never be installed.
   */
  private async refreshInboundRoutes(): Promise<void> {
    const argv = [
      ...this.vtysh(),
      "-c",
      "clear bgp ipv4 unicast * soft in",
      "-c",
      "clear bgp ipv6 unicast * soft in",
    ];
    await runChecked(this.runner, this.mode === "system" ? ["flock", SYSTEM_LOCK, ...argv] : argv);
  }

  private async reloadWhole(model: TFrrConfig | null): Promise<void> {
    if (this.mode === "managed") {
      if (!model) return;
      this.writeManagedConfig(model);
      await runChecked(
        this.runner,
        [FRR_RELOAD, "--pathspace", this.pathspace, "--reload", this.configFile],
        { timeoutMs: 60_000 },
      );
      return;
    }
    const candidate = this.writeSystemConfig(model);
    await runChecked(this.runner, ["flock", SYSTEM_LOCK, FRR_RELOAD, "--test", candidate], {
      timeoutMs: 60_000,
    });
    await runChecked(this.runner, [
      "install",
      "-m",
      "0640",
      "-o",
      "frr",
      "-g",
      "frr",
      candidate,
      this.configFile,
    ]);
    await runChecked(this.runner, ["flock", SYSTEM_LOCK, FRR_RELOAD, "--reload", this.configFile], {
      timeoutMs: 60_000,
    });
  }

  /** Managed: stop the daemons and remove the path space folders. System: remove our block. */
  async remove(owned: TOwnedRecord): Promise<TOwnedRecord> {
    if (this.mode === "managed" || owned.frr) {
      for (const [daemon, pid] of Object.entries(owned.frr?.pids ?? {})) {
        this.logger.info({ daemon, pid }, "stopping managed FRR daemon");
        await stopProcess(pid, owned.frr?.pathspace ?? this.pathspace);
      }
      for (const path of owned.paths) {
        await this.runner.run(["rm", "-rf", "--one-file-system", path]);
      }
      return { ...owned, frr: null, paths: [] };
    }
    if (this.mode === "system" && this.readSystemConfigOutsideBlock() !== this.readSystemConfig()) {
      // Take meshover's block out of the system FRR config and reload it.
      await this.reloadWhole(null);
    }
    return owned;
  }
}
