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

  it("on the rotating end kicks a configured tunnel without a handshake after 1 s, then after waits twice as long, until one comes", async () => {
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
    for (let i = 0; i < 45; i++) await vi.advanceTimersByTimeAsync(HANDSHAKE_POLL_MS);
    // One read per 150 ms. mo2r, configured at read 1, is kicked 1 s later (read 8); its
    // handshake at read 13 comes before the next kick (2 s after, read 22). mo3r, configured at
    // read 3, is kicked at read 10, then 2 s later (read 24); the next would be 4 s later.
    const readsFor = (ms: number) => Math.ceil(ms / HANDSHAKE_POLL_MS);
    const mo3rFirst = 3 + readsFor(KICK_AFTER_MS);
    expect(kicks).toEqual([
      `${1 + readsFor(KICK_AFTER_MS)}: mo2r`,
      `${mo3rFirst}: mo3r`,
      `${mo3rFirst + readsFor(2 * KICK_AFTER_MS)}: mo3r`,
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
