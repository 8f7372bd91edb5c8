import { describe, expect, it } from "vitest";
import { retryOnConflict } from "./retry-on-conflict";

const conflict = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });

describe("retryOnConflict", () => {
  it("retries a lost unique-constraint race and returns the winner's result", async () => {
    let attempts = 0;
    const result = await retryOnConflict(() => {
      attempts++;
      return attempts < 3 ? Promise.reject(conflict) : Promise.resolve("allocated");
    });
    expect(result).toBe("allocated");
    expect(attempts).toBe(3);
  });

  it("gives up after maxAttempts and rethrows other errors at once", async () => {
    let attempts = 0;
    await expect(
      retryOnConflict(() => {
        attempts++;
        return Promise.reject(conflict);
      }, 4),
    ).rejects.toBe(conflict);
    expect(attempts).toBe(4);
    attempts = 0;
    await expect(
      retryOnConflict(() => {
        attempts++;
        return Promise.reject(new Error("other"));
      }),
    ).rejects.toThrow("other");
    expect(attempts).toBe(1);
  });
});
