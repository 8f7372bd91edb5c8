// The one executor: every process effect the agent has goes through here (commands as argv
// arrays, never a shell string; daemons it starts; their liveness and signals), so a test's
// fake sees all of them. Commands are logged with their result at debug level.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { isZombie } from "./proc-state";
import { createInterface } from "node:readline";
import type { TLogger } from "../log";
import { CommandHelper } from "./command-helper";

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
   * Run several short commands side by side, each with its own stdin (`inputs`), stdout, stderr
   * and exit code. Optional: without it {@link runAll} calls `run` for each, which is what the
   * real executor wants (a fake may implement it to see which commands went together).
   */
  runAll?(
    argvs: readonly (readonly string[])[],
    options?: TRunAllOptions,
  ): Promise<TCommandResult[]>;
}

/** Run `argvs` side by side. */
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
    return !isZombie(pid);
  } catch {
    return false;
  }
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

/**
 * The real executor: commands and daemons start from one long-lived bash ({@link CommandHelper},
 * argv arrays, never parsed by a shell), line streams as children of their own.
 */
export function createExecutor(logger: TLogger, env: Record<string, string>): TRunner {
  const helper = new CommandHelper(env);
  const run = async (argv: readonly string[], options: TRunOptions = {}) => {
    if (argv.length === 0) throw new Error("empty argv");
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const result = await helper.run(argv, options.input, timeoutMs);
    logCommand(logger, argv, result, performance.now() - started, options.isSecret === true);
    return result;
  };
  return {
    run,
    async spawnDaemon(argv, options) {
      if (argv.length === 0) throw new Error("empty argv");
      try {
        const pid = await helper.spawnDaemon(argv, options.logFile);
        logger.debug({ argv, pid, logFile: options.logFile }, "daemon started");
        return pid;
      } catch (error) {
        logger.debug({ argv, error: (error as Error).message }, "daemon failed to start");
        throw error;
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
