import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  HANDSHAKE_POLL_MS,
  HandshakeWatch,
  KICK_AFTER_MS,
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

  it("on the rotating end kicks a configured tunnel each second without a handshake, until one comes", async () => {
    // mo3r is not configured until the third read; mo2r handshakes after the twelfth.
    let reads = 0;
    const read = () => {
      reads++;
      const mo2r = `mo2r\tA=\t${reads > 12 ? 5 : 0}`;
      return reads < 3 ? mo2r : `${mo2r}\nmo3r\tB=\t0`;
    };
    const kicks: string[] = [];
    const watch = new HandshakeWatch({
      readHandshakes: () => Promise.resolve(read()),
      onHandshake: () => undefined,
      kick: (devices) => {
        kicks.push(`${reads}: ${devices.join(",")}`);
        return Promise.resolve();
      },
      now: () => Date.now(),
    });
    watch.watch(["mo2r", "mo3r"], true);
    for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(HANDSHAKE_POLL_MS);
    // 150 ms per read: mo2r seen configured at read 1, kicked at reads 8 and 15 would follow;
    // its handshake at read 13 ends it. mo3r, configured at read 3, is kicked from read 10 on.
    const perKick = Math.ceil(KICK_AFTER_MS / HANDSHAKE_POLL_MS);
    expect(kicks).toEqual([
      `${1 + perKick}: mo2r`,
      `${3 + perKick}: mo3r`,
      `${3 + 2 * perKick}: mo3r`,
    ]);
    watch.stop();
  });

  it("on a peer of the rotating node never kicks", async () => {
    const kick = vi.fn(() => Promise.resolve());
    const watch = new HandshakeWatch({
      readHandshakes: () => Promise.resolve("mo2r\tA=\t0"),
      onHandshake: () => undefined,
      kick,
    });
    watch.watch(["mo2r"]);
    for (let i = 0; i < 30; i++) await vi.advanceTimersByTimeAsync(HANDSHAKE_POLL_MS);
    expect(kick).not.toHaveBeenCalled();
    watch.stop();
  });
});
