import { describe, expect, it } from "vitest";
import { getReconnectDelayMs } from "../src/controller/config-subscription";

describe("getReconnectDelayMs", () => {
  it("doubles from 1 s to an 8 s cap with ±50 % jitter", () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4].map((attempt) => getReconnectDelayMs(attempt, low))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(getReconnectDelayMs(1, high)).toBe(1500);
    expect(getReconnectDelayMs(30, low)).toBe(4000);
    expect(getReconnectDelayMs(30, high)).toBe(12_000);
  });

  it("spreads reconnects of many agents", () => {
    const delays = new Set(Array.from({ length: 50 }, () => getReconnectDelayMs(5)));
    expect(delays.size).toBeGreaterThan(40);
  });
});
