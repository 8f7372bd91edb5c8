// The one executor: every process effect the agent has goes through here (commands as argv
// arrays, never a shell string; daemons it starts; their liveness and signals), so a test's
// fake sees all of them. Commands are logged with their result at debug level.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TLogger } from "../log";

/** The outcome of one command. */
export interface TCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of one command. */
export interface TRunOptions {
  /** Text written to the command's stdin (e.g. a private key for `wg pubkey`). */
  input?: string;
  /** Redact stdin/stdout in logs (keys). */
  isSecret?: boolean;
  timeoutMs?: number;
}

/** Options of {@link runAll}: one timeout for all; per command its stdin (null: none). */
export interface TRunAllOptions {
  inputs?: readonly (string | null)[];
  timeoutMs?: number;
}

/** Options of a long-running process the agent supervises. */
export interface TDaemonOptions {
  /** File receiving the process's stdout and stderr. */
  logFile: string;
}

/** A running line stream (see TRunner.streamLines). */
export interface TLineStream {
  readonly pid: number;
  /** Stop the process (SIGTERM to its PID); `onExit` is not called for a stop. */
  stop(): void;
}

/** What a line stream reports. */
export interface TLineStreamHandlers {
  onLine(line: string): void;
  /** The process ended (or never started) without being stopped. */
  onExit(code: number, reason: string): void;
}

/** Runs commands. Tests substitute a fake that models the host. */
export interface TRunner {
  /** Run argv to completion; never throws for a non-zero exit (see `code`). */
  run(argv: readonly string[], options?: TRunOptions): Promise<TCommandResult>;
  /** Start a detached long-running process (survives the agent); returns its PID. */
  spawnDaemon(argv: readonly string[], options: TDaemonOptions): Promise<number>;
  /** True when `pid` runs (not a zombie) and its command line contains `marker` (PID reuse). */
  isAlive(pid: number, marker: string): boolean;
  /** Send `signal` to `pid`; false when no such process. */
  kill(pid: number, signal: "SIGTERM" | "SIGKILL"): boolean;
  /**
   * Run a long-lived child (e.g. `ip monitor`) that lives as long as the agent and hand over its
   * stdout line by line. Optional: a runner without it (a fake host) leaves watchers polling.
   */
  streamLines?(argv: readonly string[], handlers: TLineStreamHandlers): TLineStream;
  /**
   * Run several short commands side by side from ONE helper process, each with its own stdin
   * (`inputs`), stdout, stderr and exit code. Optional: without it {@link runAll} runs them as
   * processes of their own.
   */
  runAll?(
    argvs: readonly (readonly string[])[],
    options?: TRunAllOptions,
  ): Promise<TCommandResult[]>;
}

/**
 * Run `argvs` side by side: through the runner's helper process when it has one (a spawn from
 * the agent copies its whole address space, ~100 MB; bash's fork of itself costs a fraction),
 * else one process each.
 */
export async function runAll<const T extends readonly (readonly string[])[]>(
  runner: TRunner,
  argvs: T,
  options?: TRunAllOptions,
): Promise<TResultsOf<T>> {
  const results =
    argvs.length === 0
      ? []
      : runner.runAll
        ? await runner.runAll(argvs, options)
        : await Promise.all(
            argvs.map((argv, i) =>
              runner.run(argv, {
                timeoutMs: options?.timeoutMs,
                ...(options?.inputs?.[i] != null ? { input: options.inputs[i] } : {}),
              }),
            ),
          );
  return results as TResultsOf<T>;
}

/** One result per command, typed like the commands (a tuple stays a tuple). */
type TResultsOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: TCommandResult };

/** {@link runAll}, throwing CommandError for the first command that exited non-zero. */
export async function runAllChecked<const T extends readonly (readonly string[])[]>(
  runner: TRunner,
  argvs: T,
  options?: TRunAllOptions,
): Promise<TResultsOf<T>> {
  const results = await runAll(runner, argvs, options);
  const list: readonly TCommandResult[] = results;
  const failed = list.findIndex((result) => result.code !== 0);
  if (failed >= 0) throw new CommandError(argvs[failed]!, list[failed]!);
  return results;
}

/** The argv after this marker is the next command of a {@link RUN_ALL_SCRIPT} run. */
const NEXT_COMMAND = "--meshover-next-command--";

/**
 * A constant bash script: its first argument is a folder, the rest commands separated by
 * NEXT_COMMAND. Command n starts in the background with stdin from `<folder>/<n>.in` (when
 * there is one), stdout and stderr to `<n>.out` and `<n>.err`; then `<n> <exit code>` is
 * printed for each. The commands stay argv arrays: the shell never parses them.
 */
const RUN_ALL_SCRIPT = [
  "dir=$1; shift; n=0; args=(); pids=()",
  'for arg in "$@"; do',
  `  if [ "$arg" != "${NEXT_COMMAND}" ]; then args+=("$arg"); continue; fi`,
  '  in=/dev/null; [ -e "$dir/$n.in" ] && in="$dir/$n.in"',
  '  "${args[@]}" <"$in" >"$dir/$n.out" 2>"$dir/$n.err" & pids+=($!)',
  "  n=$((n + 1)); args=()",
  "done",
  'for i in "${!pids[@]}"; do wait "${pids[$i]}"; echo "$i $?"; done',
].join("\n");

/** The helper argv that runs `argvs` with RUN_ALL_SCRIPT over the files in `dir`. */
export function runAllArgv(dir: string, argvs: readonly (readonly string[])[]): string[] {
  return [
    "bash",
    "-c",
    RUN_ALL_SCRIPT,
    "bash",
    dir,
    ...argvs.flatMap((argv) => [...argv, NEXT_COMMAND]),
  ];
}

/** The exit codes a RUN_ALL_SCRIPT run printed, one per command (never printed: 127). */
function parseExitCodes(stdout: string, count: number): number[] {
  const codes = Array.from({ length: count }, () => 127);
  for (const line of stdout.split("\n")) {
    const match = /^(\d+) (\d+)$/.exec(line);
    if (match && Number(match[1]) < count) codes[Number(match[1])] = Number(match[2]);
  }
  return codes;
}

/** Thrown by runChecked when a command exits non-zero. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: TCommandResult,
  ) {
    super(
      `${argv.join(" ")} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = "CommandError";
  }
}

/** Run and throw CommandError on a non-zero exit. */
export async function runChecked(
  runner: TRunner,
  argv: readonly string[],
  options?: TRunOptions,
): Promise<TCommandResult> {
  const result = await runner.run(argv, options);
  if (result.code !== 0) throw new CommandError(argv, result);
  return result;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_LOGGED_OUTPUT = 2000;

/** Liveness from /proc: the command line names `marker`, and the state is not Z (zombie). */
function isProcessAlive(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.split("\0").some((arg) => arg.includes(marker))) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Run argv to completion (child_process.spawn, no shell); a failed start is code 127. */
function spawnCommand(
  argv: readonly string[],
  options: Pick<TRunOptions, "input">,
  env: Record<string, string>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<TCommandResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error("empty argv"));
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ["pipe", "pipe", "pipe"], shell: false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const finish = (code: number, spawnError?: Error) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: spawnError ? spawnError.message : Buffer.concat(stderr).toString("utf8"),
      });
    };
    child.on("error", (error) => finish(127, error));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** One command and its result at debug level (stdout redacted for secrets). */
function logCommand(
  logger: TLogger,
  argv: readonly string[],
  result: TCommandResult,
  ms: number,
  isSecret: boolean,
): void {
  logger.debug(
    {
      argv,
      code: result.code,
      ms: Math.round(ms * 10) / 10,
      stdout: isSecret ? "[redacted]" : result.stdout.slice(0, MAX_LOGGED_OUTPUT),
      stderr: result.stderr.slice(0, MAX_LOGGED_OUTPUT),
    },
    "command",
  );
}

/** The real executor: child_process.spawn with an argv array and no shell. */
export function createExecutor(logger: TLogger, env: Record<string, string>): TRunner {
  return {
    async run(argv, options = {}) {
      const started = performance.now();
      const result = await spawnCommand(argv, options, env, options.timeoutMs);
      logCommand(logger, argv, result, performance.now() - started, options.isSecret === true);
      return result;
    },
    async runAll(argvs, options = {}) {
      const dir = mkdtempSync(join(tmpdir(), "meshover-run-"));
      try {
        options.inputs?.forEach((input, i) => {
          if (input !== null) writeFileSync(join(dir, `${i}.in`), input, { mode: 0o600 });
        });
        const started = performance.now();
        const helper = await spawnCommand(runAllArgv(dir, argvs), {}, env, options.timeoutMs);
        const ms = performance.now() - started;
        const codes = parseExitCodes(helper.stdout, argvs.length);
        return argvs.map((argv, i) => {
          const read = (name: string) => {
            try {
              return readFileSync(join(dir, `${i}.${name}`), "utf8");
            } catch {
              return "";
            }
          };
          const result = { code: codes[i]!, stdout: read("out"), stderr: read("err") };
          if (result.code === 127 && helper.code !== 0) result.stderr ||= helper.stderr;
          // Logged like a command of its own (the helper's time for each).
          logCommand(logger, argv, result, ms, false);
          return result;
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    spawnDaemon(argv, options) {
      const [file, ...args] = argv;
      if (!file) return Promise.reject(new Error("empty argv"));
      const fd = openSync(options.logFile, "a", 0o600);
      try {
        const child = spawn(file, args, {
          env,
          stdio: ["ignore", fd, fd],
          detached: true,
          shell: false,
        });
        return new Promise((resolve, reject) => {
          child.once("error", (error) => {
            logger.debug({ argv, error: error.message }, "daemon failed to start");
            reject(error);
          });
          child.once("spawn", () => {
            child.unref();
            logger.debug({ argv, pid: child.pid, logFile: options.logFile }, "daemon started");
            resolve(child.pid ?? -1);
          });
        });
      } finally {
        closeSync(fd);
      }
    },
    isAlive: isProcessAlive,
    streamLines(argv, handlers) {
      const [file, ...args] = argv;
      let isStopped = false;
      let isEnded = false;
      const end = (code: number, reason: string) => {
        if (isEnded) return;
        isEnded = true;
        logger.debug({ argv, code, reason, isStopped }, "line stream ended");
        if (!isStopped) handlers.onExit(code, reason);
      };
      if (!file) {
        queueMicrotask(() => end(127, "empty argv"));
        return { pid: -1, stop: () => undefined };
      }
      // Not detached: the child shares the agent's fate (it dies of EPIPE if the agent does).
      const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], shell: false });
      const stderr: string[] = [];
      createInterface({ input: child.stdout }).on("line", (line) => handlers.onLine(line));
      child.stderr.on("data", (chunk: Buffer) => {
        if (stderr.length < 20) stderr.push(chunk.toString("utf8"));
      });
      child.on("error", (error) => end(127, error.message));
      child.on("close", (code, signal) =>
        end(code ?? 128, stderr.join("").trim() || `exited (${signal ?? code})`),
      );
      logger.debug({ argv, pid: child.pid }, "line stream started");
      return {
        pid: child.pid ?? -1,
        stop() {
          isStopped = true;
          if (child.pid !== undefined && !isEnded) child.kill("SIGTERM");
        },
      };
    },
    kill(pid, signal) {
      try {
        process.kill(pid, signal);
        logger.debug({ pid, signal }, "signal sent");
        return true;
      } catch {
        return false;
      }
    },
  };
}
