import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createExecutor, runAll } from "../src/exec/run-command";

describe("runAll on the real executor", () => {
  it("runs the commands from one helper, each with its own stdout and exit code", async () => {
    const commands: unknown[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => commands.push(line) });
    const runner = createExecutor(logger, { PATH: process.env.PATH ?? "/usr/bin:/bin" });
    const results = await runAll(runner, [
      // Arguments stay arguments: nothing here is expanded by the helper's shell.
      ["printf", "%s|%s", "a b", "$HOME `id` ;|"],
      ["sh", "-c", "echo out; echo err >&2; exit 3"],
      ["meshover-no-such-command"],
      ["printf", "l1\nl2\n"],
    ]);
    expect(results).toEqual([
      { code: 0, stdout: "a b|$HOME `id` ;|", stderr: "" },
      { code: 3, stdout: "out", stderr: "" },
      { code: 127, stdout: "", stderr: "" },
      { code: 0, stdout: "l1\nl2", stderr: "" },
    ]);
    expect(commands).toHaveLength(1); // one process spawned by the agent
  });
});
