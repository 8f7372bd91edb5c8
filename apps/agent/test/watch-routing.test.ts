import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TFrrAdapter } from "../src/frr/frr-adapter";
import { RoutingWatcher } from "../src/health/watch-routing";

const logger = pino({ level: "silent" });

/** `show bgp neighbors json` with one interface neighbour in `state` (BFD `bfd`). */
function neighbors(state: string, bfd = "Up") {
  return JSON.stringify({
    mo2: {
      remoteAs: 4200000002,
      localAs: 4200000001,
      bgpState: state,
      peerBfdInfo: { status: bfd },
    },
  });
}

function setUp() {
  let output = neighbors("Established");
  const frr = { show: vi.fn(() => Promise.resolve(output)) } as unknown as TFrrAdapter;
  const onChange = vi.fn();
  const watcher = new RoutingWatcher({ frr, logger, onChange, pollMs: 400, minGapMs: 1000 });
  return { watcher, onChange, set: (text: string) => (output = text) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RoutingWatcher", () => {
  it("reports at once when a session or its BFD state changes, not on the first read", async () => {
    const { watcher, onChange, set } = setUp();
    await watcher.poll();
    await watcher.poll();
    expect(onChange).not.toHaveBeenCalled();
    set(neighbors("Established", "Down"));
    await watcher.poll();
    expect(onChange).toHaveBeenCalledTimes(1);
    watcher.stop();
  });

  it("folds a flap storm into one report a second (leading, then one trailing)", async () => {
    vi.useFakeTimers();
    const { watcher, onChange, set } = setUp();
    await watcher.poll();
    const states = ["Idle", "Connect", "Established", "Active", "Established", "Idle"];
    for (const state of states) {
      set(neighbors(state));
      await watcher.poll();
      await vi.advanceTimersByTimeAsync(100);
    }
    // 600 ms of changes: the first reported at once, the rest wait for the trailing report.
    expect(onChange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(onChange).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(onChange).toHaveBeenCalledTimes(2);
    watcher.stop();
  });

  it("polls on its own timer once started, and stops", async () => {
    vi.useFakeTimers();
    const { watcher, onChange, set } = setUp();
    watcher.start();
    await vi.advanceTimersByTimeAsync(400);
    set(neighbors("Active"));
    await vi.advanceTimersByTimeAsync(400);
    expect(onChange).toHaveBeenCalledTimes(1);
    watcher.stop();
    set(neighbors("Established"));
    await vi.advanceTimersByTimeAsync(2000);
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
