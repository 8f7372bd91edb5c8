// Managed FRR: the agent runs its own zebra/bgpd/bfdd/staticd with a private `-N` path space
// (one FRR per network namespace), supervised by PID like wireguard-go. Changes go through
// frr-reload.py (global) or targeted vtysh commands (one neighbor), and the startup file is kept
// in step with what runs.
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import {
  parseFrrRunningConfig,
  renderFrrConfig,
  type TFrrConfig,
  type TFrrStep,
} from "@meshover/netcfg";
import { CommandError, runChecked, type TRunner } from "../exec/run-command";
import { stopProcess } from "../host/stop-process";
import type { TLogger } from "../log";
import type { TOwnedRecord } from "../state/state-files";
import { FRR_BIN, FRR_RELOAD, VtyshFrr } from "./frr-adapter";
import { lookUpSystemIds } from "./system-ids";

/** Daemons a managed FRR consists of, in start order. */
export const MANAGED_DAEMONS = ["zebra", "bgpd", "bfdd", "staticd"] as const;

/** zebra's client and vty sockets: the other daemons start once both exist. */
const ZEBRA_SOCKETS = ["zserv.api", "zebra.vty"] as const;

/** How long the daemons may take until vtysh reaches all of them. */
const START_TIMEOUT_MS = 15_000;

/** Whether something listens on the unix socket at `path` now (the connection is closed again). */
function acceptsConnections(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Stop the managed daemons `owned` records and remove their folders (any mode: cleanup). */
export async function removeManagedFrr(
  runner: TRunner,
  logger: TLogger,
  owned: TOwnedRecord,
): Promise<TOwnedRecord> {
  for (const [daemon, pid] of Object.entries(owned.frr?.pids ?? {})) {
    logger.info({ daemon, pid }, "stopping managed FRR daemon");
    await stopProcess(runner, pid, owned.frr?.pathspace ?? daemon);
  }
  for (const path of owned.paths) await runner.run(["rm", "-rf", "--one-file-system", path]);
  return { ...owned, frr: null, paths: [] };
}

/** FRR daemons of the agent's own. */
export class ManagedFrr extends VtyshFrr {
  readonly mode = "managed" as const;

  private get configDir(): string {
    return `${this.options.etcDir ?? "/etc/frr"}/${this.options.pathspace}`;
  }
  private get runDir(): string {
    return `${this.options.runRoot ?? "/var/run/frr"}/${this.options.pathspace}`;
  }
  /** The startup file. */
  get configFile(): string {
    return `${this.configDir}/frr.conf`;
  }

  vtysh(): string[] {
    return ["vtysh", "-N", this.options.pathspace];
  }

  vtyDir(): string {
    return this.runDir;
  }

  /** True when every daemon recorded in the ownership record still runs. */
  isStartNeeded(): boolean {
    const pids = this.options.store.readOwned().frr?.pids ?? {};
    return !MANAGED_DAEMONS.every((daemon) => {
      const pid = pids[daemon];
      return pid !== undefined && this.options.runner.isAlive(pid, this.options.pathspace);
    });
  }

  /**
   * Start the daemons when any is missing (after stopping the rest), loading `model` as the
   * startup config, so FRR runs exactly `model` once this resolves. PIDs and folders go into
   * the ownership record as they appear.
   */
  async ensureRunning(model: TFrrConfig): Promise<void> {
    if (!this.isStartNeeded()) return;
    const { runner, store, logger, pathspace } = this.options;
    this.known = null;
    for (const [daemon, pid] of Object.entries(store.readOwned().frr?.pids ?? {})) {
      logger.warn({ daemon, pid }, "managed FRR daemon gone: restarting FRR");
      await stopProcess(runner, pid, pathspace);
    }
    // Folders and files made here, then handed to frr in one command: on a cold start every
    // process spawn costs tenths of a second while the tunnels are built beside it.
    for (const dir of [this.configDir, this.runDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
    }
    writeFileSync(this.configFile, renderFrrConfig(model), { mode: 0o640 });
    const vtyshConf = `${this.configDir}/vtysh.conf`;
    writeFileSync(vtyshConf, "service integrated-vtysh-config\n", { mode: 0o640 });
    const owned = [this.configDir, this.runDir, this.configFile, vtyshConf];
    // In the agent's own process where it can (a spawned chown took 0.7–1.9 s of a cold start
    // on a busy host, all of it before zebra could start); with `chown` where frr's IDs are
    // not in the files (a user from NSS) or the adapter was told so (tests: a fake host).
    const ids =
      this.options.frrOwner === undefined ? lookUpSystemIds("frr", "frr") : this.options.frrOwner;
    if (ids) {
      for (const path of owned) chownSync(path, ids.uid, ids.gid);
    } else {
      await runChecked(runner, ["chown", "frr:frr", ...owned]);
    }
    const pids: Record<string, number> = {};
    const record = () =>
      store.updateOwned((current) => ({
        ...current,
        frr: { pathspace, pids: { ...pids } },
        paths: [...new Set([...current.paths, this.configDir, this.runDir])],
      }));
    record();
    // Sockets a killed FRR left behind would end the waits below at once: vtysh -b then found
    // a dead bgpd.vty, loaded the others and left bgpd empty (a node rebuilt from its cache
    // after its daemons were killed stayed unreachable).
    for (const name of [...ZEBRA_SOCKETS, ...MANAGED_DAEMONS.map((daemon) => `${daemon}.vty`)])
      rmSync(`${this.runDir}/${name}`, { force: true });
    const spawn = async (daemon: (typeof MANAGED_DAEMONS)[number]) => {
      const argv = [`${FRR_BIN}/${daemon}`, "-N", pathspace, "-P", "0"];
      pids[daemon] = await runner.spawnDaemon(
        [...argv, "-u", "frr", "-g", "frr", "--log", "stdout"],
        { logFile: store.path(`logs/frr-${daemon}.log`) },
      );
      // Record each PID at once so a crash here still lets `leave` stop it.
      record();
    };
    // zebra first: a daemon that finds no zebra socket retries only after 10 s (bfdd then knew
    // no interface for 10 s, no BFD after a join; bgpd no tunnel to peer over). The others
    // need only zebra, so they start side by side (a cold start saves two spawns' time).
    await spawn("zebra");
    await this.waitForSockets(ZEBRA_SOCKETS);
    await Promise.all(MANAGED_DAEMONS.filter((daemon) => daemon !== "zebra").map(spawn));
    await this.loadStartupConfig();
    // FRR now runs the model: what the next config pass plans from, without reading it back
    // (the same render-and-parse the planner's desired state comes from).
    this.known = parseFrrRunningConfig(renderFrrConfig(model));
    logger.info({ pathspace, pids }, "managed FRR started");
  }

  /** Wait until every socket in `names` exists in the run folder (as the daemons make them). */
  private async waitForSockets(names: readonly string[]): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!names.every((name) => existsSync(`${this.runDir}/${name}`))) {
      if (Date.now() > deadline) {
        throw new Error(`managed FRR: no ${names.join(", ")} in ${this.runDir} within 15 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Load the startup file into the daemons once each accepts connections on its vty socket.
   * vtysh -b skips a daemon whose socket refuses (a killed daemon's leftover, or the instant
   * between bind and listen) and still exits 0, leaving that daemon empty; so each socket is
   * connected to here first (in-process, no `show version` round: a whole vtysh run took
   * 0.7–1.4 s on a busy host).
   */
  private async loadStartupConfig(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const daemon of MANAGED_DAEMONS) {
      const path = `${this.runDir}/${daemon}.vty`;
      while (!(await acceptsConnections(path))) {
        if (Date.now() > deadline) {
          throw new Error(`managed FRR: ${daemon} does not answer on ${path} within 15 s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const argv = [...this.vtysh(), "-b"];
    const result = await this.options.runner.run(argv, { timeoutMs: 30_000 });
    if (result.code !== 0) throw new CommandError(argv, result);
  }

  protected async applyStep(step: TFrrStep): Promise<void> {
    const { runner, pathspace } = this.options;
    // The startup file first: FRR restarted later boots with what runs now.
    writeFileSync(this.configFile, step.config, { mode: 0o640 });
    if (step.kind === "neighbors") {
      // One vtysh process for all of them (`end` back to the top between changes): each process
      // costs 0.3–0.8 s on a busy host, and a pass adding 11 tunnels ran 11 one after the other.
      // vtysh stops at the first failing command, as the separate calls did.
      const commands = step.commands.flatMap((list, i) => (i === 0 ? list : ["end", ...list]));
      await runChecked(runner, [...this.vtysh(), ...commands.flatMap((c) => ["-c", c])]);
      return;
    }
    await runChecked(runner, [FRR_RELOAD, "--pathspace", pathspace, "--reload", this.configFile], {
      timeoutMs: 60_000,
    });
    await runChecked(runner, [...this.vtysh(), ...step.after.flatMap((c) => ["-c", c])]);
  }

  remove(owned: TOwnedRecord): Promise<TOwnedRecord> {
    return removeManagedFrr(this.options.runner, this.options.logger, owned);
  }
}
