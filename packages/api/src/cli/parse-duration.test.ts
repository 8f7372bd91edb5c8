import { describe, expect, it } from "vitest";
import { parseDuration } from "./parse-duration";

describe("parseDuration", () => {
  it.each([
    ["90", 90],
    ["90s", 90],
    ["15m", 900],
    ["1h", 3600],
    ["7d", 604800],
  ])("%s is %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it("refuses anything else", () => {
    expect(() => parseDuration("1 week")).toThrow(/not a duration/);
    expect(() => parseDuration("-1h")).toThrow(/not a duration/);
  });
});
