import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createExecutor, runAll } from "../src/exec/run-command";

describe("runAll on the real executor", () => {
  it("runs the commands from one helper, each with its own stdin, stdout, stderr and exit code", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(line) });
    const runner = createExecutor(logger, { PATH: process.env.PATH ?? "/usr/bin:/bin" });
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
    expect(logged.map((line) => line.argv[0])).toEqual([
      "printf",
      "sh",
      "meshover-no-such-command",
      "cat",
      "printf",
    ]);
  });
});
