import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createExecutor, runAll } from "../src/exec/run-command";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const scratch = mkdtempSync(join(tmpdir(), "meshover-executor-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** PIDs of this process's children whose command line contains `marker`. */
function childrenOf(marker: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return (
          ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const waitFor = async (check: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

describe("the real executor", () => {
  it("runs commands side by side, each with its own stdin, stdout, stderr and exit code", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(line) });
    const runner = createExecutor(logger, { PATH });
    const results = await runAll(
      runner,
      [
        // Arguments stay arguments: nothing here is expanded by the helper's shell.
        ["printf", "%s|%s", "a b", "$HOME `id` ;|"],
        ["sh", "-c", "echo out; echo err >&2; exit 3"],
        ["meshover-no-such-command"],
        ["cat"],
        ["printf", "l1\nl2\n"],
      ],
      { inputs: [null, null, null, "from stdin\n", null] },
    );
    expect(results).toEqual([
      { code: 0, stdout: "a b|$HOME `id` ;|", stderr: "" },
      { code: 3, stdout: "out\n", stderr: "err\n" },
      { code: 127, stdout: "", stderr: expect.stringContaining("not found") as string },
      { code: 0, stdout: "from stdin\n", stderr: "" },
      { code: 0, stdout: "l1\nl2\n", stderr: "" },
    ]);
    // Logged as five commands (the helper itself is not one of the agent's commands).
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; argv: string[] });
    expect(logged.map((line) => line.argv[0]).sort()).toEqual(
      ["printf", "sh", "meshover-no-such-command", "cat", "printf"].sort(),
    );
  });

  it("kills a command at its timeout", async () => {
    const runner = createExecutor(pino({ level: "silent" }), { PATH });
    const started = performance.now();
    const result = await runner.run(["sleep", "10"], { timeoutMs: 200 });
    expect(result.code).toBe(137);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("starts a daemon in a session of its own with its log, and reaps it when it ends", async () => {
    const runner = createExecutor(pino({ level: "silent" }), { PATH });
    const logFile = join(scratch, "daemon.log");
    const pid = await runner.spawnDaemon(
      ["sh", "-c", "echo started; while :; do sleep 0.1; done", "meshover-test-daemon"],
      { logFile },
    );
    try {
      expect(runner.isAlive(pid, "meshover-test-daemon")).toBe(true);
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const sessionId = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
      expect(sessionId).toBe(pid);
      expect(await waitFor(() => readFileSync(logFile, "utf8") === "started\n")).toBe(true);
      expect(runner.kill(pid, "SIGTERM")).toBe(true);
      // Gone, not a zombie: the helper reaps what it started.
      expect(await waitFor(() => !runner.isAlive(pid, "meshover-test-daemon"))).toBe(true);
    } finally {
      // Its process group (the session it leads), whatever failed above.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Gone.
      }
    }
    await expect(runner.spawnDaemon(["/nonexistent/meshover-daemon"], { logFile })).rejects.toThrow(
      "no such program",
    );
  });

  it("starts a new helper when the old one is gone", async () => {
    const runner = createExecutor(pino({ level: "silent" }), { PATH });
    expect((await runner.run(["true"])).code).toBe(0);
    const helpers = childrenOf("meshover-agent-");
    expect(helpers.length).toBeGreaterThan(0);
    for (const pid of helpers) process.kill(pid, "SIGKILL");
    // Asked before the agent noticed (the killed helper is not reaped yet) or after.
    const early = runner.run(["echo", "early"]);
    await waitFor(() => helpers.every((pid) => !existsSync(`/proc/${pid}`)));
    expect(await early).toEqual({ code: 0, stdout: "early\n", stderr: "" });
    expect(await runner.run(["echo", "again"])).toEqual({ code: 0, stdout: "again\n", stderr: "" });
  });

  it("does not keep the agent's process alive once nothing is waiting", () => {
    const script = [
      'import { pino } from "pino";',
      `import { createExecutor } from ${JSON.stringify(join(import.meta.dirname, "../src/exec/run-command.ts"))};`,
      `const runner = createExecutor(pino({ level: "silent" }), { PATH: ${JSON.stringify(PATH)} });`,
      'const result = await runner.run(["echo", "done"]);',
      "process.stdout.write(result.stdout);",
    ].join("\n");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: join(import.meta.dirname, ".."),
        timeout: 20_000,
        encoding: "utf8",
      },
    );
    expect(child.error).toBeUndefined();
    expect(child.stdout).toBe("done\n");
    expect(child.status).toBe(0);
  });
});
