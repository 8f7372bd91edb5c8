import { describe, expect, it } from "vitest";
import { formatAgo, formatBytes, formatDuration, formatMachine, formatMs } from "./format-values";

describe("format-values", () => {
  it("formats ages relative to now", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatAgo(null, now)).toBe("never");
    expect(formatAgo(new Date(now - 12_000), now)).toBe("12 s ago");
    expect(formatAgo(new Date(now - 5 * 60_000), now)).toBe("5 min ago");
    expect(formatAgo(new Date(now - 3 * 3600_000).toISOString(), now)).toBe("3 h ago");
    expect(formatAgo(new Date(now - 3 * 86400_000), now)).toBe("3 d ago");
    expect(formatAgo(new Date(now + 5000), now)).toBe("just now");
  });
  it("formats durations, bytes and milliseconds", () => {
    expect(formatDuration(89)).toBe("89 s");
    expect(formatDuration(120)).toBe("2 min");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(3n * 1024n * 1024n * 1024n)).toBe("3.0 GiB");
    expect(formatBytes(null)).toBe("—");
    expect(formatMs(0.4211)).toBe("0.42 ms");
    expect(formatMs(12.34)).toBe("12.3 ms");
    expect(formatMs(140.2)).toBe("140 ms");
    expect(formatMs(null)).toBe("—");
  });

  it("formatMachine names the machine and the BFD timers it gives the node", () => {
    expect(formatMachine("qemu")).toBe("qemu (software emulation) · BFD 1000 ms × 3");
    expect(formatMachine("kvm")).toBe("kvm · BFD 250 ms × 3");
    expect(formatMachine("none")).toBe("bare metal · BFD 250 ms × 3");
    expect(formatMachine(null)).toBe("—");
    expect(formatMachine(undefined)).toBe("—");
  });
});
