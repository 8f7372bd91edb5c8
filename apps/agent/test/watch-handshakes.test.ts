import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  HANDSHAKE_POLL_MS,
  HandshakeWatch,
  listHandshakenDevices,
} from "../src/health/watch-handshakes";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("HandshakeWatch", () => {
  it("parses `wg show all latest-handshakes`: only devices with a handshake", () => {
    const text = "mo2r\tAAAA=\t1796555538\nmo3r\tBBBB=\t0\nmo4\tCCCC=\t1796555500\n";
    expect([...listHandshakenDevices(text)]).toEqual(["mo2r", "mo4"]);
  });

  it("reports once per new handshake of a watched tunnel, then stops polling", async () => {
    const outputs = [
      "mo2r\tA=\t0\nmo3r\tB=\t0",
      "mo2r\tA=\t5\nmo3r\tB=\t0",
      "mo2r\tA=\t5\nmo3r\tB=\t7",
    ];
    let reads = 0;
    const onHandshake = vi.fn();
    const watch = new HandshakeWatch({
      readHandshakes: () => Promise.resolve(outputs[Math.min(reads++, outputs.length - 1)]!),
      onHandshake,
    });
    watch.watch(["mo2r", "mo3r"]);
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(HANDSHAKE_POLL_MS);
    expect(onHandshake).toHaveBeenCalledTimes(2);
    expect(reads).toBe(3);
    watch.stop();
  });
});
