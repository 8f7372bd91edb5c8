import { describe, expect, it } from "vitest";
import { isSeenRecently, offlineAfterSec } from "./judge-freshness";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe("isSeenRecently", () => {
  it("keeps a node online through two missed 5 s reports and drops it at the third", () => {
    expect(isSeenRecently(ago(14), NOW, 5)).toBe(true);
    expect(isSeenRecently(ago(15), NOW, 5)).toBe(true);
    expect(isSeenRecently(ago(16), NOW, 5)).toBe(false);
  });

  it("calls a node that never reported offline", () => {
    expect(isSeenRecently(null, NOW, 5)).toBe(false);
  });

  it("never goes below 10 s with very short intervals", () => {
    expect(offlineAfterSec(1)).toBe(10);
    expect(offlineAfterSec(30)).toBe(90);
  });
});
