import { describe, expect, it } from "vitest";
import { createLimiter } from "../src/reconcile/run-schedule";

describe("createLimiter", () => {
  it("never runs more than its limit at once and starts every task in the order it came, late ones included", async () => {
    const limit = 3;
    const gate = createLimiter(limit);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (id: number) => async () => {
      started.push(id);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (id % 3)));
      running -= 1;
      return id;
    };
    const first = Array.from({ length: 8 }, (_, id) => gate(task(id)));
    // More tasks while the first ones still run or wait.
    await new Promise((resolve) => setTimeout(resolve, 6));
    const late = Array.from({ length: 4 }, (_, i) => gate(task(8 + i)));
    expect(await Promise.all([...first, ...late])).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(most).toBe(limit);
    expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});
