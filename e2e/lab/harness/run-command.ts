// The one runner for every system command the lab issues: an argv array (never a shell string),
// a timeout, and an error that names the command and quotes its stderr.
import { spawn } from "node:child_process";

/** What a finished command returned. */
export interface TCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface TRunOptions {
  /** Kill the command after this long (default 30 s). */
  timeoutMs?: number;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Text fed to the command's stdin. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Run `argv` to completion; throws on a non-zero exit unless `allowFailure`. */
export function runCommand(argv: readonly string[], options: TRunOptions = {}) {
  const [file, ...args] = argv;
  if (!file) throw new Error("runCommand: empty argv");
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise<TCommandResult>((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(" ")}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`${argv.join(" ")}: timed out after ${timeoutMs} ms`));
      } else if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${argv.join(" ")}: exit ${code}: ${stderr.trim() || stdout.trim()}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
    if (child.stdin) {
      // A command may exit before reading its input; that is its exit status's business.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
  });
}

/** Run `argv` and parse its stdout as JSON. */
export async function runJson<T = unknown>(argv: readonly string[], options: TRunOptions = {}) {
  const { stdout } = await runCommand(argv, options);
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`${argv.join(" ")}: output is not JSON: ${stdout.slice(0, 300)}`);
  }
}
