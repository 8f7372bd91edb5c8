import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createExecutor } from "../src/exec/run-command";

const runner = createExecutor(pino({ level: "silent" }), { PATH: process.env.PATH ?? "" });

describe("the executor's line streams", () => {
  it("hands over stdout line by line, then the exit", async () => {
    const lines: string[] = [];
    const exit = await new Promise<{ code: number; reason: string }>((resolve) => {
      runner.streamLines!(["sh", "-c", "printf 'a\\nb c\\n'; echo oops >&2; exit 3"], {
        onLine: (line) => lines.push(line),
        onExit: (code, reason) => resolve({ code, reason }),
      });
    });
    expect(lines).toEqual(["a", "b c"]);
    expect(exit).toEqual({ code: 3, reason: "oops" });
  });

  it("reports a program that cannot start as an exit", async () => {
    const exit = await new Promise<number>((resolve) => {
      runner.streamLines!(["/nonexistent/meshover-test"], {
        onLine: () => undefined,
        onExit: (code) => resolve(code),
      });
    });
    expect(exit).toBe(127);
  });

  it("stop ends the process by its PID and is no exit", async () => {
    let exits = 0;
    const stream = runner.streamLines!(["sleep", "30"], {
      onLine: () => undefined,
      onExit: () => (exits += 1),
    });
    expect(runner.isAlive(stream.pid, "sleep")).toBe(true);
    stream.stop();
    for (let i = 0; i < 50 && runner.isAlive(stream.pid, "sleep"); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runner.isAlive(stream.pid, "sleep")).toBe(false);
    expect(exits).toBe(0);
  });
});
