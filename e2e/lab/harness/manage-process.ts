// Process supervision by PID: start a process detached with its output in a log file, remember
// its PID and start time (so a reused PID is never mistaken for ours), stop it by that PID.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { sleep } from "./wait-until";

/** A process the lab started, identified by PID plus kernel start time. */
export interface TProcessRef {
  name: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: distinguishes this process from a later one reusing the PID. */
  startTime: string;
  logFile?: string;
}

/** A running process the lab started in this Node process. */
export interface TLabProcess extends TProcessRef {
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string | null>;
  hasExited: () => boolean;
}

/** The kernel start time of `pid`, or null when it is gone or a zombie. */
export function readStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return fields[19] ?? null;
}

/** Whether the process `ref` names is still the same live process. */
export function isProcessAlive(ref: Pick<TProcessRef, "pid" | "startTime">) {
  return readStartTime(ref.pid) === ref.startTime;
}

/** Options for {@link startProcess}. */
export interface TStartOptions {
  name: string;
  argv: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Start `argv` detached (its own process group, so a terminal's Ctrl-C reaches the lab's
 * teardown first), stdout and stderr appended to `logFile`.
 */
export function startProcess(options: TStartOptions): TLabProcess {
  const [file, ...args] = options.argv;
  if (!file) throw new Error("startProcess: empty argv");
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, "a");
  const child = spawn(file, args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.name}: ${options.argv[0]}`);
  let exitValue: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) => {
    child.on("exit", (code, signal) => {
      exitValue = code ?? signal;
      resolve(exitValue);
    });
    child.on("error", () => {
      exitValue = null;
      resolve(null);
    });
  });
  child.unref();
  return {
    name: options.name,
    pid,
    // Read right away: the PID cannot be reused before we reap it, so this is the child's.
    startTime: readStartTime(pid) ?? "unknown",
    logFile: options.logFile,
    exited,
    hasExited: () => exitValue !== undefined,
  };
}

/**
 * Stop one process by PID: SIGTERM, wait up to `graceMs`, then SIGKILL. Does nothing when the
 * PID no longer belongs to the process `ref` names.
 */
export async function stopProcess(ref: Pick<TProcessRef, "pid" | "startTime">, graceMs = 3000) {
  if (!isProcessAlive(ref)) return;
  signalProcess(ref.pid, "SIGTERM");
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (!isProcessAlive(ref)) return;
    await sleep(25);
  }
  if (isProcessAlive(ref)) signalProcess(ref.pid, "SIGKILL");
  for (let i = 0; i < 80 && isProcessAlive(ref); i++) await sleep(25);
}

/** Send `signal` to `pid`, ignoring a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Wait until `pid`'s command name is `comm` (e.g. after an exec), or throw. */
export async function waitForExec(ref: TLabProcess, comm: string, timeoutMs = 5000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (ref.hasExited()) throw new Error(`${ref.name} exited early; see ${ref.logFile}`);
    try {
      if (readFileSync(`/proc/${ref.pid}/comm`, "utf8").trim() === comm) return;
    } catch {
      // not there yet or already gone: checked again below
    }
    await sleep(10);
  }
  throw new Error(`${ref.name} (pid ${ref.pid}) did not become ${comm} within ${timeoutMs} ms`);
}
