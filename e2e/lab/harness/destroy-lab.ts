// Teardown from a record: stop every recorded process by PID, then every process still inside
// the run's namespaces (daemons the agent started: FRR, wireguard-go), delete the namespaces and
// links, drop the databases, remove the folder. Used by a run on exit, by `lab down`, and by the
// leftover sweeper; safe to call twice.
import { rm } from "node:fs/promises";
import { dropDatabase } from "../../../scripts/lib/postgres.mjs";
import { isProcessAlive, readStartTime, stopProcess } from "./manage-process";
import { LAB_PREFIX, listLabRecords, type TLabRecord } from "./record-lab";
import { runCommand } from "./run-command";

/** Remove everything `record` lists. Collects errors and throws them together at the end. */
export async function destroyLab(record: TLabRecord, options: { keepDir?: boolean } = {}) {
  const errors: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // Newest first: agents before the controller, so they do not log a storm of reconnects.
  for (const ref of [...record.processes].reverse()) {
    await attempt(`stop ${ref.name} (pid ${ref.pid})`, () => stopProcess(ref));
  }
  for (const netns of record.netns) {
    assertLabName(netns);
    await attempt(`stop processes in ${netns}`, () => stopNamespaceProcesses(netns));
  }
  for (const netns of record.netns) {
    await attempt(`delete netns ${netns}`, async () => {
      const { stdout } = await runCommand(["ip", "netns", "list"]);
      if (stdout.split("\n").some((line) => line.split(" ")[0] === netns)) {
        await runCommand(["ip", "netns", "delete", netns]);
      }
    });
  }
  for (const link of [...record.links].reverse()) {
    assertLabName(link);
    await attempt(`delete link ${link}`, async () => {
      const { code } = await runCommand(["ip", "link", "show", "dev", link], {
        allowFailure: true,
      });
      if (code !== 0) return;
      // A veth end vanishes on its own shortly after its peer's namespace is deleted.
      const deleted = await runCommand(["ip", "link", "delete", "dev", link], {
        allowFailure: true,
      });
      if (deleted.code !== 0 && !deleted.stderr.includes("Cannot find device")) {
        throw new Error(deleted.stderr.trim());
      }
    });
  }
  for (const database of record.databases) {
    await attempt(`drop database ${database.name}`, () => dropLabDatabase(database));
  }
  if (!options.keepDir) {
    await attempt(`remove ${record.dir}`, () => rm(record.dir, { recursive: true, force: true }));
  }
  if (errors.length > 0) throw new Error(`lab ${record.runId} teardown:\n  ${errors.join("\n  ")}`);
}

/**
 * Remove the runs whose owner process is dead (a crashed test, a killed CLI). Runs whose owner
 * lives are left alone: they belong to someone else working right now. Returns the run ids swept.
 */
export async function sweepLeftovers(log: (line: string) => void = () => {}) {
  const swept: string[] = [];
  for (const record of listLabRecords()) {
    if (isProcessAlive(record.owner)) continue;
    log(`sweeping leftover lab ${record.runId} (owner pid ${record.owner.pid} is gone)`);
    await destroyLab(record);
    swept.push(record.runId);
  }
  return swept;
}

/** Stop every process whose network namespace is `netns` (only lab namespaces get here). */
async function stopNamespaceProcesses(netns: string) {
  const { code, stdout } = await runCommand(["ip", "netns", "pids", netns], { allowFailure: true });
  if (code !== 0) return;
  const refs = stdout
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 1)
    .map((pid) => ({ pid, startTime: readStartTime(pid) ?? "" }))
    .filter((ref) => ref.startTime !== "");
  await Promise.all(refs.map((ref) => stopProcess(ref)));
}

async function dropLabDatabase(database: { serverUrl: string; name: string }) {
  assertDatabaseName(database.name);
  await dropDatabase(database.serverUrl, database.name);
}

/** Refuse to touch anything that is not a lab object. */
function assertLabName(name: string) {
  if (!name.startsWith(LAB_PREFIX)) throw new Error(`refusing to touch non-lab object ${name}`);
}

/** Lab databases are named mo_lab_<run>. */
export function assertDatabaseName(name: string) {
  if (!/^mo_lab_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop database ${name}`);
}
