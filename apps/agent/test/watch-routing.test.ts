import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TLineStreamHandlers, TRunner } from "../src/exec/run-command";
import type { TFrrAdapter } from "../src/frr/frr-adapter";
import {
  isFrrRouteEvent,
  ROUTE_MONITOR_ARGV,
  RoutingWatcher,
  type TRoutingWatcherOptions,
} from "../src/health/watch-routing";

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

/** Lines `ip -o monitor route nexthop` prints when zebra withdraws a peer's routes. */
const BGP_ROUTE_GONE = "Deleted 10.100.0.2 nhid 21 via inet6 fe80::2 dev mo2 proto bgp metric 20";
const KERNEL_ROUTE = "local 10.99.0.1 dev lo table local proto kernel scope host src 10.99.0.1";

/** A runner whose only effect is route streams the test drives. */
function fakeStreams() {
  const streams: { handlers: TLineStreamHandlers; stop: ReturnType<typeof vi.fn> }[] = [];
  const runner = {
    streamLines: vi.fn((argv: readonly string[], handlers: TLineStreamHandlers) => {
      expect(argv).toEqual(ROUTE_MONITOR_ARGV);
      const stop = vi.fn();
      streams.push({ handlers, stop });
      return { pid: 1000 + streams.length, stop };
    }),
  } as unknown as TRunner;
  return { runner, streams, latest: () => streams[streams.length - 1]! };
}

function setUp(options: Partial<TRoutingWatcherOptions> = {}) {
  let output = neighbors("Established");
  const show = vi.fn(() => Promise.resolve(output));
  const frr = { show } as unknown as TFrrAdapter;
  const onChange = vi.fn();
  const watcher = new RoutingWatcher({
    frr,
    logger,
    onChange,
    pollMs: 400,
    safetyPollMs: 5000,
    minGapMs: 1000,
    restartMs: 1000,
    ...options,
  });
  return { watcher, onChange, show, set: (text: string) => (output = text) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("isFrrRouteEvent", () => {
  it("takes routes and next hops FRR installs, not the kernel's own", () => {
    expect(isFrrRouteEvent(BGP_ROUTE_GONE)).toBe(true);
    expect(isFrrRouteEvent("10.100.0.3 nhid 22 dev mo3 proto bgp metric 20")).toBe(true);
    expect(isFrrRouteEvent("id 21 via fe80::2 dev mo2 scope link proto zebra")).toBe(true);
    expect(isFrrRouteEvent(KERNEL_ROUTE)).toBe(false);
    expect(isFrrRouteEvent("10.8.0.0/16 dev eth0 proto static")).toBe(false);
  });
});

describe("RoutingWatcher", () => {
  it("reports at once when a session or its BFD state changes, not on the first read", async () => {
    const { watcher, onChange, set } = setUp();
    await watcher.read();
    await watcher.read();
    expect(onChange).not.toHaveBeenCalled();
    set(neighbors("Established", "Down"));
    await watcher.read();
    expect(onChange).toHaveBeenCalledTimes(1);
    // The report gets the text that showed the change (it needs no read of its own).
    expect(onChange).toHaveBeenCalledWith(neighbors("Established", "Down"));
    watcher.stop();
  });

  it("folds a flap storm into one report a second (leading, then one trailing with the last state)", async () => {
    vi.useFakeTimers();
    const { watcher, onChange, set } = setUp();
    await watcher.read();
    const states = ["Idle", "Connect", "Established", "Active", "Established", "Idle"];
    for (const state of states) {
      set(neighbors(state));
      await watcher.read();
      await vi.advanceTimersByTimeAsync(100);
    }
    // 600 ms of changes: the first reported at once, the rest wait for the trailing report.
    expect(onChange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenLastCalledWith(neighbors("Idle"));
    await vi.advanceTimersByTimeAsync(5000);
    expect(onChange).toHaveBeenCalledTimes(2);
    watcher.stop();
  });

  it("with the route stream: reads FRR on a BGP route event at once, otherwise only on the slow poll", async () => {
    vi.useFakeTimers();
    const { runner, latest } = fakeStreams();
    const { watcher, onChange, show, set } = setUp({ runner });
    watcher.start();
    expect(watcher.isStreaming).toBe(true);
    await vi.advanceTimersByTimeAsync(4999);
    expect(show).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(show).toHaveBeenCalledTimes(1); // the safety poll: the first state
    // The kernel's own routes do not cost a read.
    latest().handlers.onLine(KERNEL_ROUTE);
    await vi.advanceTimersByTimeAsync(0);
    expect(show).toHaveBeenCalledTimes(1);
    // BFD down: bgpd drops the session, zebra the routes; the route event triggers the read.
    set(neighbors("Idle", "Down"));
    latest().handlers.onLine(BGP_ROUTE_GONE);
    await vi.advanceTimersByTimeAsync(0);
    expect(show).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenCalledTimes(1);
    watcher.stop();
    expect(latest().stop).toHaveBeenCalled();
  });

  it("folds a burst of route events into at most two reads", async () => {
    vi.useFakeTimers();
    const { runner, latest } = fakeStreams();
    const { watcher, show } = setUp({ runner });
    watcher.start();
    for (let i = 0; i < 20; i++) latest().handlers.onLine(BGP_ROUTE_GONE);
    await vi.advanceTimersByTimeAsync(0);
    expect(show).toHaveBeenCalledTimes(2);
    watcher.stop();
  });

  it("a session without routes still reaches the controller through the safety poll", async () => {
    vi.useFakeTimers();
    const { runner } = fakeStreams();
    const { watcher, onChange, set } = setUp({ runner });
    watcher.start();
    await vi.advanceTimersByTimeAsync(5000);
    set(neighbors("Active"));
    await vi.advanceTimersByTimeAsync(5000);
    expect(onChange).toHaveBeenCalledTimes(1);
    watcher.stop();
  });

  it("when the stream dies: reads at once, polls fast, restarts it with a growing delay, then polls slowly again", async () => {
    vi.useFakeTimers();
    const { runner, streams, latest } = fakeStreams();
    const { watcher, onChange, show, set } = setUp({ runner });
    watcher.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(show).toHaveBeenCalledTimes(1);
    // A change the dying stream never showed is not lost.
    set(neighbors("Idle", "Down"));
    latest().handlers.onExit(1, "killed");
    expect(watcher.isStreaming).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(onChange).toHaveBeenCalledTimes(1);
    // Until it runs again, FRR is polled every 400 ms.
    show.mockClear();
    await vi.advanceTimersByTimeAsync(800);
    expect(show).toHaveBeenCalledTimes(2);
    // Back up just before the restart (1 s after the exit), which reads once more at once.
    set(neighbors("Established"));
    await vi.advanceTimersByTimeAsync(200);
    expect(streams).toHaveLength(2);
    expect(watcher.isStreaming).toBe(true);
    expect(onChange).toHaveBeenCalledTimes(2);
    // Then the slow poll again: 5 s after the restart.
    show.mockClear();
    await vi.advanceTimersByTimeAsync(4999);
    expect(show).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(show).toHaveBeenCalledTimes(1);
    // It dies again at once: the next restart waits twice as long.
    latest().handlers.onExit(1, "killed");
    await vi.advanceTimersByTimeAsync(1999);
    expect(streams).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(streams).toHaveLength(3);
    watcher.stop();
    latest().handlers.onExit(1, "stopped"); // a late exit after stop changes nothing
    await vi.advanceTimersByTimeAsync(10_000);
    expect(streams).toHaveLength(3);
  });

  it("without a stream (a runner that has none) it polls fast, and stops", async () => {
    vi.useFakeTimers();
    const { watcher, onChange, set } = setUp();
    watcher.start();
    expect(watcher.isStreaming).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    set(neighbors("Active"));
    await vi.advanceTimersByTimeAsync(400);
    expect(onChange).toHaveBeenCalledTimes(1);
    watcher.stop();
    set(neighbors("Established"));
    await vi.advanceTimersByTimeAsync(2000);
    expect(onChange).toHaveBeenCalledTimes(1);
  });
  it("lends its last successful read while it is fresh enough, never a failed or old one", async () => {
    let now = 0;
    const { watcher, show, set } = setUp({ now: () => now });
    expect(watcher.recentNeighbors(7500)).toBeNull(); // nothing read yet
    await watcher.read();
    now += 7500;
    expect(watcher.recentNeighbors(7500)).toBe(neighbors("Established"));
    now += 1;
    expect(watcher.recentNeighbors(7500)).toBeNull();
    show.mockRejectedValueOnce(new Error("vtysh: bgpd is not running"));
    await watcher.read();
    expect(watcher.recentNeighbors(7500)).toBeNull();
    set(neighbors("Active"));
    await watcher.read();
    expect(watcher.recentNeighbors(7500)).toBe(neighbors("Active"));
  });
});
