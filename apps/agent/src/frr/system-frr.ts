// System FRR: the host's FRR service, with meshover's part as one marked block of
// /etc/frr/frr.conf. A change is tested, installed and reloaded under ONE lock (as frr-k8s's
// frr-reloader.sh does), so no other writer of the lock can slip in between.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { TFrrConfig, TFrrStep } from "@meshover/netcfg";
import { runChecked } from "../exec/run-command";
import type { TOwnedRecord } from "../state/state-files";
import { FRR_RELOAD, VtyshFrr } from "./frr-adapter";
import { removeManagedFrr } from "./managed-frr";

/** The lock every writer of the system FRR config takes (meshover's convention). */
export const SYSTEM_LOCK = "/run/lock/meshover-frr.lock";
const BLOCK_BEGIN = "! meshover begin (managed by meshover-agent; do not edit)";
const BLOCK_END = "! meshover end";

/**
 * Test, install and reload in one process under the lock. A fixed script: the paths come in as
 * positional parameters ($0 = frr-reload.py, $1 = candidate, $2 = config file), never as text
 * spliced into it.
 */
const RELOAD_SCRIPT =
  'set -e; "$0" --test "$1"; install -m 0640 -o frr -g frr "$1" "$2"; "$0" --reload "$2"';

/** The host's FRR service. */
export class SystemFrr extends VtyshFrr {
  readonly mode = "system" as const;

  /** The system config file meshover writes its block into. */
  get configFile(): string {
    return `${this.options.etcDir ?? "/etc/frr"}/frr.conf`;
  }

  vtysh(): string[] {
    return ["vtysh"];
  }

  vtyDir(): string {
    return this.options.runRoot ?? "/var/run/frr";
  }

  /** The service is the host's to run. */
  isStartNeeded(): boolean {
    return false;
  }

  ensureRunning(_model: TFrrConfig): Promise<void> {
    return Promise.resolve();
  }

  private readConfig(): string {
    return existsSync(this.configFile) ? readFileSync(this.configFile, "utf8") : "";
  }

  /** The system config without meshover's block. */
  private readConfigOutsideBlock(): string {
    const current = this.readConfig();
    const begin = current.indexOf(BLOCK_BEGIN);
    const end = current.indexOf(BLOCK_END);
    return begin >= 0 && end > begin
      ? current.slice(0, begin) + current.slice(end + BLOCK_END.length + 1)
      : current;
  }

  /** Replace meshover's block with `config` (none: remove it) under the one lock. */
  private async reload(config: string | null): Promise<void> {
    // FRR's `end` would end the file for frr-reload.py: leave it out of the block.
    const block = config ? `${BLOCK_BEGIN}\n${config.replace(/^end\n$/m, "")}${BLOCK_END}\n` : "";
    const candidate = this.options.store.path("frr-candidate.conf");
    writeFileSync(candidate, `${this.readConfigOutsideBlock().trimEnd()}\n${block}`, {
      mode: 0o640,
    });
    await runChecked(
      this.options.runner,
      ["flock", SYSTEM_LOCK, "sh", "-c", RELOAD_SCRIPT, FRR_RELOAD, candidate, this.configFile],
      { timeoutMs: 120_000 },
    );
  }

  protected async applyStep(step: TFrrStep): Promise<void> {
    const { runner } = this.options;
    if (step.kind === "reload") {
      await this.reload(step.config);
      const refresh = [...this.vtysh(), ...step.after.flatMap((c) => ["-c", c])];
      await runChecked(runner, ["flock", SYSTEM_LOCK, ...refresh]);
      return;
    }
    for (const commands of step.commands) {
      const argv = [...this.vtysh(), ...commands.flatMap((c) => ["-c", c])];
      await runChecked(runner, ["flock", SYSTEM_LOCK, ...argv]);
    }
    // Keep the file FRR starts from in step with what is running.
    await this.reload(step.config);
  }

  /** Take meshover's block out of the system config (and any managed FRR left from before). */
  async remove(owned: TOwnedRecord): Promise<TOwnedRecord> {
    if (owned.frr) return removeManagedFrr(this.options.runner, this.options.logger, owned);
    if (this.readConfigOutsideBlock() !== this.readConfig()) await this.reload(null);
    return owned;
  }
}
