// The one executor: every process effect the agent has goes through here (commands as argv
// arrays, never a shell string; daemons it starts; their liveness and signals), so a test's
// fake sees all of them. Commands are logged with their result at debug level.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
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
   * Run several short commands side by side from ONE helper process (stdout and exit code
   * each; stderr is not kept). Optional: without it {@link runAll} runs them one by one.
   */
  runAll?(argvs: readonly (readonly string[])[], options?: TRunOptions): Promise<TCommandResult[]>;
}

/**
 * Run `argvs` side by side: through the runner's helper process when it has one (a spawn from
 * the agent copies its whole address space, ~100 MB; bash's fork of itself costs a fraction),
 * else one process each.
 */
export async function runAll<const T extends readonly (readonly string[])[]>(
  runner: TRunner,
  argvs: T,
  options?: TRunOptions,
): Promise<TResultsOf<T>> {
  const results =
    argvs.length === 0
      ? []
      : runner.runAll
        ? await runner.runAll(argvs, options)
        : await Promise.all(argvs.map((argv) => runner.run(argv, options)));
  return results as TResultsOf<T>;
}

/** One result per command, typed like the commands (a tuple stays a tuple). */
type TResultsOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: TCommandResult };

/** {@link runAll}, throwing CommandError for the first command that exited non-zero. */
export async function runAllChecked<const T extends readonly (readonly string[])[]>(
  runner: TRunner,
  argvs: T,
  options?: TRunOptions,
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
 * A constant bash script that runs each command in its arguments (separated by NEXT_COMMAND)
 * in the background and prints `<number> <exit code> <stdout as base64>` per command (stdout
 * loses its trailing newlines): the commands stay argv arrays, never parsed by the shell.
 */
const RUN_ALL_SCRIPT = [
  'run() { out=$("$@" 2>/dev/null); code=$?; printf \'%s %s %s\\n\' "$n" "$code" "$(printf \'%s\' "$out" | base64 -w0)"; }',
  "n=0; args=()",
  'for arg in "$@"; do',
  `  if [ "$arg" = "${NEXT_COMMAND}" ]; then run "\${args[@]}" & n=$((n + 1)); args=(); else args+=("$arg"); fi`,
  "done",
  "wait",
].join("\n");

/** The results of a RUN_ALL_SCRIPT run, one per command in order (a missing line: code 127). */
export function parseRunAllOutput(stdout: string, count: number): TCommandResult[] {
  const results: TCommandResult[] = Array.from({ length: count }, () => ({
    code: 127,
    stdout: "",
    stderr: "no result from the helper",
  }));
  for (const line of stdout.split("\n")) {
    const match = /^(\d+) (\d+) ?(\S*)$/.exec(line);
    const index = Number(match?.[1]);
    if (!match || !(index < count)) continue;
    results[index] = {
      code: Number(match[2]),
      stdout: Buffer.from(match[3] ?? "", "base64").toString("utf8"),
      stderr: "",
    };
  }
  return results;
}

/** The helper argv that runs `argvs` with RUN_ALL_SCRIPT. */
export function runAllArgv(argvs: readonly (readonly string[])[]): string[] {
  return [
    "bash",
    "-c",
    RUN_ALL_SCRIPT,
    "bash",
    ...argvs.flatMap((argv) => [...argv, NEXT_COMMAND]),
  ];
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

/** The real executor: child_process.spawn with an argv array and no shell. */
export function createExecutor(logger: TLogger, env: Record<string, string>): TRunner {
  return {
    run(argv, options = {}) {
      const [file, ...args] = argv;
      if (!file) return Promise.reject(new Error("empty argv"));
      const started = performance.now();
      return new Promise((resolve) => {
        const child = spawn(file, args, { env, stdio: ["pipe", "pipe", "pipe"], shell: false });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        const timer = setTimeout(
          () => child.kill("SIGKILL"),
          options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        );
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        const finish = (code: number, spawnError?: Error) => {
          clearTimeout(timer);
          const result: TCommandResult = {
            code,
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: spawnError ? spawnError.message : Buffer.concat(stderr).toString("utf8"),
          };
          logger.debug(
            {
              argv,
              code,
              ms: Math.round((performance.now() - started) * 10) / 10,
              stdout: options.isSecret ? "[redacted]" : result.stdout.slice(0, MAX_LOGGED_OUTPUT),
              stderr: result.stderr.slice(0, MAX_LOGGED_OUTPUT),
            },
            "command",
          );
          resolve(result);
        };
        child.on("error", (error) => finish(127, error));
        child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.input ?? "");
      });
    },
    async runAll(argvs, options = {}) {
      const helper = await this.run(runAllArgv(argvs), options);
      return parseRunAllOutput(helper.stdout, argvs.length);
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
