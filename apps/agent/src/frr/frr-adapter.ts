// FRR behind one interface, one adapter per mode: `managed` (the agent runs its own daemons in a
// private `-N` path space, managed-frr.ts), `system` (the host's FRR service and meshover's
// block of /etc/frr/frr.conf, system-frr.ts). `--frr none` is no adapter at all (null). The
// text every adapter applies comes from netcfg (scheduleHostPlan's FRR step).
import {
  parseFrrRunningConfig,
  type TFrrConfig,
  type TFrrState,
  type TFrrStep,
} from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import type { TOwnedRecord } from "../state/state-files";
import type { TSystemIds } from "./system-ids";
import { daemonOfShow, VtyClient, VtyCommandError } from "./vty-client";

/** How the agent runs FRR. */
export type TFrrMode = "system" | "managed" | "none";

/** Where FRR's programs live (Debian). */
export const FRR_BIN = "/usr/lib/frr";
/** frr-reload.py: computes and applies the line diff between running and wanted config. */
export const FRR_RELOAD = `${FRR_BIN}/frr-reload.py`;
/** How long a read FRR version is reused. */
const VERSION_CACHE_MS = 10 * 60_000;

/** Options every adapter takes. */
export interface TFrrAdapterOptions {
  runner: TRunner;
  logger: TLogger;
  store: StateStore;
  /** Path space for managed mode (`-N`). */
  pathspace: string;
  /** FRR's config root (tests use a temporary folder). */
  etcDir?: string;
  /** FRR's run root. */
  runRoot?: string;
  /**
   * Who a managed FRR's folders and files are handed to; default the `frr` user and group from
   * /etc/passwd and /etc/group, null: through `chown frr:frr` (tests, a user from NSS).
   */
  frrOwner?: TSystemIds | null;
}

/** FRR as the reconcile loop and health reports use it. */
export interface TFrrAdapter {
  readonly mode: Exclude<TFrrMode, "none">;
  /** Run one show command and return its output (throws on failure). */
  show(command: string): Promise<string>;
  /** FRR's version string (e.g. `8.4.4`), null when unknown. */
  readVersion(): Promise<string | null>;
  /** Whether {@link ensureRunning} would start FRR now (managed daemons gone). */
  isStartNeeded(): boolean;
  /** Start FRR with `model` as its startup config when it is not running (managed only). */
  ensureRunning(model: TFrrConfig): Promise<void>;
  /** meshover's part of FRR's running config; with `isFresh` false the last known one. */
  observe(isFresh: boolean): Promise<TFrrState | null>;
  /**
   * Apply netcfg's FRR step; FRR then runs `expected` (the planner's desired FRR state), which
   * config passes plan from until the next fresh read. Without `expected`, read FRR back.
   */
  apply(step: TFrrStep, expected?: TFrrState): Promise<void>;
  /** Undo what `owned` says meshover did to FRR; returns the record after. */
  remove(owned: TOwnedRecord): Promise<TOwnedRecord>;
}

/** What the managed and system adapters share: vtysh, version cache, the known state. */
export abstract class VtyshFrr implements TFrrAdapter {
  abstract readonly mode: Exclude<TFrrMode, "none">;
  /**
   * FRR's meshover state as of the last read. The agent is FRR's only writer for this part, so
   * config-triggered passes plan from it and skip the slow vtysh round trip; periodic resyncs
   * and every apply read FRR again.
   */
  protected known: TFrrState | null = null;
  private version: { value: string; at: number } | null = null;

  constructor(protected readonly options: TFrrAdapterOptions) {}

  /** vtysh argv prefix for this FRR. */
  abstract vtysh(): string[];
  abstract isStartNeeded(): boolean;
  abstract ensureRunning(model: TFrrConfig): Promise<void>;
  abstract remove(owned: TOwnedRecord): Promise<TOwnedRecord>;
  /** Carry out the step (the mode's way of writing FRR). */
  protected abstract applyStep(step: TFrrStep): Promise<void>;

  /** The folder of the daemons' vty sockets. */
  abstract vtyDir(): string;

  private vtyClient: VtyClient | null = null;

  private isVtyFallbackLogged = false;

  /**
   * A show command one daemon answers goes over its vty socket (no vtysh process); the rest,
   * and any the socket did not answer (no socket: FRR down or elsewhere; a refusal vtysh might
   * not get), through vtysh. The first such fallback is logged as a warning: a read that always
   * falls back costs a process each time again.
   */
  async show(command: string): Promise<string> {
    const daemon = daemonOfShow(command);
    if (daemon) {
      const started = performance.now();
      this.vtyClient ??= new VtyClient(this.vtyDir());
      try {
        const output = await this.vtyClient.show(daemon, command);
        const ms = Math.round((performance.now() - started) * 10) / 10;
        this.options.logger.debug({ daemon, command, ms }, "vty");
        return output;
      } catch (error) {
        // A managed FRR's sockets are where vtysh looks too: no socket, or nobody on it, means
        // the daemon is not running (FRR starting), and a vtysh run would only find the same.
        const code = (error as NodeJS.ErrnoException).code;
        if (this.mode === "managed" && (code === "ENOENT" || code === "ECONNREFUSED")) throw error;
        const level =
          error instanceof VtyCommandError && !this.isVtyFallbackLogged ? "warn" : "debug";
        if (level === "warn") this.isVtyFallbackLogged = true;
        this.options.logger[level](
          { daemon, command, error: String(error) },
          "vty read failed: asking vtysh",
        );
      }
    }
    const argv = [...this.vtysh(), "-c", command];
    return (await runChecked(this.options.runner, argv, { timeoutMs: 10_000 })).stdout;
  }

  async readVersion(): Promise<string | null> {
    // Every health report carries it: ask vtysh (a process that connects to every daemon) once
    // every 10 minutes, not every 5 seconds; an upgrade shows up within that.
    const now = Date.now();
    if (this.version && now - this.version.at < VERSION_CACHE_MS) return this.version.value;
    try {
      const value = /FRRouting (\S+)/.exec(await this.show("show version"))?.[1] ?? null;
      this.version = value === null ? null : { value, at: now };
      return value;
    } catch (error) {
      this.options.logger.debug({ error: String(error) }, "FRR version unreadable");
      return null;
    }
  }

  async observe(isFresh: boolean): Promise<TFrrState | null> {
    if (!isFresh && this.known) return this.known;
    const result = await this.options.runner.run([...this.vtysh(), "-c", "show running-config"], {
      timeoutMs: 10_000,
    });
    this.known = result.code === 0 ? parseFrrRunningConfig(result.stdout) : null;
    return this.known;
  }

  async apply(step: TFrrStep, expected?: TFrrState): Promise<void> {
    // Unknown until applied: a failure makes the next pass read FRR again.
    this.known = null;
    await this.applyStep(step);
    // The step succeeded (vtysh stops at a failing command and exits non-zero; frr-reload.py
    // likewise), so FRR runs what the planner wanted: no read back (a vtysh run of 0.2–0.4 s
    // on a busy host, per changing pass). Periodic resyncs still read FRR fresh.
    if (expected) this.known = expected;
    else await this.observe(true);
  }
}
