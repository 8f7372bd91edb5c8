import { describe, expect, it } from "vitest";
import { isHandshakeSince } from "./is-handshake-since";

describe("isHandshakeSince", () => {
  const reportedAt = new Date("2026-01-01T12:00:00.700Z");

  it("counts a handshake in the same second as the report (wg truncates to seconds)", () => {
    expect(isHandshakeSince(new Date("2026-01-01T12:00:00.000Z"), reportedAt)).toBe(true);
  });

  it("counts later handshakes and not one from an earlier second", () => {
    expect(isHandshakeSince(new Date("2026-01-01T12:00:03.000Z"), reportedAt)).toBe(true);
    expect(isHandshakeSince(new Date("2026-01-01T11:59:59.000Z"), reportedAt)).toBe(false);
  });
});
