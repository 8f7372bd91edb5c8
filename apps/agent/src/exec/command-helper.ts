// One long-lived bash that starts the agent's commands and daemons for it. A spawn from the
// agent forks its whole address space (~100 MB) and blocks the event loop until the child has
// exec'd, which under load is the agent's longest wait (a 12-node cold start spent about a
// fifth of its agents' time there); bash forks itself for a fraction of that and the agent only
// writes a request down a pipe. Requests are NUL-separated fields (argv stays argv: the shell
// never parses it); replies are lines. A command's stdin, stdout and stderr are files in the
// helper's work folder (on tmpfs where there is one), read back when bash reports the exit.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { isZombie } from "./proc-state";
import type { TCommandResult } from "./run-command";

/**
 * The helper's loop. A request is `kind id extra argc arg...`, each field NUL-terminated.
 * `run`: extra 1 means stdin from `<id>.in`; bash replies `<id> pid <pid>` once the command is
 * started and `<id> exit <code>` when it ends. `daemon`: extra is the log file; the program runs
 * in a session of its own (it outlives the agent) and bash replies `<id> pid <pid>`, or
 * `<id> missing` when there is no such program. bash reaps what it started; it leaves when the
 * agent closes the pipe (the daemons stay).
 */
const HELPER_SCRIPT = [
  "work=$1",
  "next() { IFS= read -r -d '' \"$1\"; }",
  "while next kind && next id && next extra && next argc; do",
  "  args=()",
  '  for ((i = 0; i < argc; i++)); do next arg || break 2; args+=("$arg"); done',
  '  if [ "$kind" = run ]; then',
  '    in=/dev/null; [ "$extra" = 1 ] && in="$work/$id.in"',
  '    { "${args[@]}" <"$in" >"$work/$id.out" 2>"$work/$id.err" & echo "$id pid $!"; wait $!; echo "$id exit $?"; } &',
  '  elif type -P -- "${args[0]}" >/dev/null; then',
  '    setsid -- "${args[@]}" </dev/null >>"$extra" 2>&1 & echo "$id pid $!"',
  "  else",
  '    echo "$id missing"',
  "  fi",
  "done",
  'rm -rf -- "$work"',
].join("\n");

/** How long spawnDaemon waits for the program to replace the forked bash (a busy host). */
const EXEC_WAIT_MS = 5000;

/**
 * Whether `pid` is past the helper's fork (`bash`) and `setsid`: it runs `program` (or renamed
 * itself), or is gone; either way nothing more to wait for. An empty command line is a process
 * in the middle of an exec (the lab saw wireguard-go "exit" 1 ms after its start that way), or
 * one that already ended and waits to be reaped.
 */
function hasExeced(pid: number, program: string): boolean {
  try {
    const first = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
    if (first === "") return isZombie(pid);
    return first === program || (first !== "bash" && first !== "setsid");
  } catch {
    return true;
  }
}

/** A command or daemon start waiting for its reply. */
interface TPending {
  /** The helper the request went to (one may exit while the next starts). */
  owner?: ChildProcess;
  onPid(pid: number): void;
  onExit(code: number): void;
  /** The helper is gone (or said the program is missing): `reason` says which. */
  onLost(reason: string): void;
}

/** The folder for the work files: tmpfs (/dev/shm) when writable, else the temp folder. */
function chooseWorkRoot(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

/** Starts commands and daemons through one bash process (started on first use). */
export class CommandHelper {
  private child: ChildProcess | null = null;
  private work = "";
  private nextId = 0;
  private readonly pending = new Map<number, TPending>();

  constructor(private readonly env: Record<string, string>) {}

  /**
   * Run argv to completion with `input` as stdin; a program that cannot start is code 127 (its
   * stderr says why). After `timeoutMs` the command is killed (SIGKILL: code 137). A helper that
   * died before starting the command is replaced and asked again.
   */
  async run(argv: readonly string[], input: string | undefined, timeoutMs: number) {
    const first = await this.runOnce(argv, input, timeoutMs);
    return first.isStarted ? first.result : (await this.runOnce(argv, input, timeoutMs)).result;
  }

  private async runOnce(argv: readonly string[], input: string | undefined, timeoutMs: number) {
    const id = this.nextId++;
    const work = this.ensureStarted();
    const path = (suffix: string) => join(work, `${id}.${suffix}`);
    if (input !== undefined) await writeFile(path("in"), input, { mode: 0o600 });
    let pid = 0;
    const outcome = await new Promise<number | string>((resolve) => {
      let isTimedOut = false;
      const timer = setTimeout(() => {
        isTimedOut = true;
        if (pid > 0) killProcess(pid);
      }, timeoutMs);
      const settle = (value: number | string) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.send(id, "run", input === undefined ? "0" : "1", argv, {
        onPid: (started) => {
          pid = started;
          if (isTimedOut) killProcess(pid);
        },
        onExit: settle,
        onLost: settle,
      });
    });
    const read = (suffix: string) => readFile(path(suffix), "utf8").catch(() => "");
    const [stdout, stderr] = await Promise.all([read("out"), read("err")]);
    await Promise.all(["in", "out", "err"].map((suffix) => rm(path(suffix), { force: true })));
    const result: TCommandResult =
      typeof outcome === "number"
        ? { code: outcome, stdout, stderr }
        : { code: 127, stdout, stderr: outcome };
    return { result, isStarted: pid > 0 || typeof outcome === "number" };
  }

  /**
   * Start argv in a session of its own, stdout and stderr appended to `logFile`; its PID once it
   * runs the program (bash replies right after its fork; callers check liveness by command line).
   */
  async spawnDaemon(argv: readonly string[], logFile: string): Promise<number> {
    const pid = await new Promise<number>((resolve, reject) => {
      const id = this.nextId++;
      this.ensureStarted();
      this.send(id, "daemon", logFile, argv, {
        onPid: (started) => {
          this.settled(id);
          resolve(started);
        },
        onExit: () => undefined,
        onLost: (reason) => reject(new Error(`${argv[0] ?? ""}: ${reason}`)),
      });
    });
    const until = performance.now() + EXEC_WAIT_MS;
    while (performance.now() < until && !hasExeced(pid, argv[0] ?? "")) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return pid;
  }

  /** Queue `pending` under `id` and write the request (lost at once without a helper). */
  private send(
    id: number,
    kind: "run" | "daemon",
    extra: string,
    argv: readonly string[],
    pending: TPending,
  ) {
    const child = this.child;
    if (!child?.stdin?.writable) return pending.onLost("command helper not running");
    this.pending.set(id, { ...pending, owner: child });
    const fields = [kind, String(id), extra, String(argv.length), ...argv];
    child.stdin.write(fields.map((field) => `${field}\0`).join(""));
    this.updateRef();
  }

  /** The helper's work folder, starting the helper first when it does not run. */
  private ensureStarted(): string {
    if (this.child) return this.work;
    const work = mkdtempSync(join(chooseWorkRoot(), "meshover-agent-"));
    // A session of its own: a terminal's Ctrl-C reaches the agent, which may still need it.
    const child = spawn("bash", ["-c", HELPER_SCRIPT, "bash", work], {
      env: this.env,
      stdio: ["pipe", "pipe", "inherit"],
      detached: true,
    });
    this.child = child;
    this.work = work;
    createInterface({ input: child.stdout }).on("line", (line) => this.onReply(line));
    child.stdin.on("error", () => undefined);
    // New requests go to a new helper once this one exited; what it still owes is settled once
    // its last replies are read.
    child.on("exit", () => {
      if (this.child === child) this.child = null;
    });
    child.on("error", (error) => this.onGone(child, work, `command helper: ${error.message}`));
    child.on("close", (code, signal) =>
      this.onGone(child, work, `command helper exited (${signal ?? code})`),
    );
    this.updateRef();
    return work;
  }

  private onReply(line: string) {
    const [idText, what, value] = line.split(" ");
    const id = Number(idText);
    const pending = this.pending.get(id);
    if (!pending) return;
    if (what === "pid") return pending.onPid(Number(value));
    this.settled(id);
    if (what === "exit") pending.onExit(Number(value));
    else pending.onLost(what === "missing" ? "no such program" : `unexpected reply ${line}`);
  }

  private settled(id: number) {
    this.pending.delete(id);
    this.updateRef();
  }

  private onGone(child: ChildProcess, work: string, reason: string) {
    if (this.child === child) this.child = null;
    rmSync(work, { recursive: true, force: true });
    for (const [id, pending] of this.pending) {
      if (pending.owner !== child) continue;
      this.pending.delete(id);
      pending.onLost(reason);
    }
    this.updateRef();
  }

  /** Keep the agent's process alive while a reply is due, not otherwise. */
  private updateRef() {
    const child = this.child;
    if (!child) return;
    const isWaiting = this.pending.size > 0;
    const handles = [child, child.stdout, child.stdin] as ({
      ref?(): void;
      unref?(): void;
    } | null)[];
    for (const handle of handles) {
      if (isWaiting) handle?.ref?.();
      else handle?.unref?.();
    }
  }
}

function killProcess(pid: number) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
