import { TRPCClientError } from "@trpc/client";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { diffNodeConfigs, type TDesiredNodeConfig } from "@meshover/netcfg";
import { ConfigSubscription, type TStreamHandlers } from "../src/controller/config-subscription";
import { makeTestConfig, makeTestPeer } from "./test-config";

const NODE_ID = makeTestConfig([]).self.id;

/** A controller refusing the node, as the tRPC client reports it. */
function refusal(code: "UNAUTHORIZED" | "NOT_FOUND"): TRPCClientError<never> {
  const result = { error: { code: -32001, message: "this node was removed", data: { code } } };
  return new TRPCClientError("this node was removed", { result } as never);
}

/** A ConfigSubscription whose stream is driven by the test; time is vitest's fake clock. */
function setUp(options: { nodeGoneRetryMs?: number } = {}) {
  const streams: TStreamHandlers[] = [];
  let unsubscribed = 0;
  const configs: TDesiredNodeConfig[] = [];
  const logs: string[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => logs.push((JSON.parse(line) as { msg: string }).msg) },
  );
  const subscription = new ConfigSubscription({
    nodeId: NODE_ID,
    logger,
    subscribe: (handlers) => {
      streams.push(handlers);
      return { unsubscribe: () => (unsubscribed += 1) };
    },
    verifyPin: () => Promise.resolve(),
    currentVersion: () => configs.at(-1)?.version ?? null,
    onConfig: (config) => configs.push(config),
    // No jitter: every delay is its base (1 s, 2 s, 4 s, 8 s).
    random: () => 0.5,
    ...options,
  });
  const stream = () => streams.at(-1)!;
  return {
    subscription,
    streams,
    stream,
    configs,
    logs,
    unsubscribed: () => unsubscribed,
    start: async () => {
      subscription.start();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("ConfigSubscription", () => {
  it("hands on a full config, then the config a delta makes of it", async () => {
    const t = setUp();
    await t.start();
    const first = makeTestConfig([makeTestPeer(2)], { version: 1 });
    const second = makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 2 });
    t.stream().onData(first);
    t.stream().onData(diffNodeConfigs(first, second));
    expect(t.configs).toEqual([first, second]);
  });

  it("resubscribes for a full config when a delta does not fit, after the backoff", async () => {
    const t = setUp();
    await t.start();
    const first = makeTestConfig([makeTestPeer(2)], { version: 1 });
    const delta = diffNodeConfigs(
      makeTestConfig([], { version: 5 }),
      makeTestConfig([makeTestPeer(3)], { version: 6 }),
    );
    t.stream().onData(first);
    t.stream().onData(delta);
    expect(t.configs).toEqual([first]);
    expect(t.unsubscribed()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.streams).toHaveLength(2);
  });

  it("refuses a config for another node or an older version", async () => {
    const t = setUp();
    await t.start();
    t.stream().onData(makeTestConfig([], { version: 3 }));
    t.stream().onData(makeTestConfig([], { version: 2 }));
    t.stream().onData(makeTestConfig([], { version: 9, index: 9 }));
    expect(t.configs.map((config) => config.version)).toEqual([3]);
    expect(t.logs.filter((msg) => msg === "config rejected: nothing applied")).toHaveLength(2);
  });

  it("backs off 1, 2, 4, 8, 8 s while the stream fails, and resets once data flows", async () => {
    const t = setUp();
    await t.start();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const before = t.streams.length;
      t.stream().onError(new Error("connection refused"));
      let waited = 0;
      while (t.streams.length === before) {
        await vi.advanceTimersByTimeAsync(500);
        waited += 500;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    t.stream().onData(makeTestConfig([], { version: 1 }));
    t.stream().onError(new Error("connection refused"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.streams).toHaveLength(7);
  });

  it("after two refusals says so once and retries only after the slow delay", async () => {
    const t = setUp({ nodeGoneRetryMs: 60_000 });
    await t.start();
    t.stream().onError(refusal("UNAUTHORIZED"));
    // The first refusal may be a race between controller replicas: normal backoff.
    expect(t.subscription.nodeGoneError).toBeNull();
    await vi.advanceTimersByTimeAsync(1000);
    t.stream().onError(refusal("UNAUTHORIZED"));
    expect(t.subscription.nodeGoneError).toBe("this node was removed");
    // Normal backoff would have retried within 3 s; the slow retry waits the full minute.
    await vi.advanceTimersByTimeAsync(59_999);
    expect(t.streams).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.streams).toHaveLength(3);
    t.stream().onError(refusal("NOT_FOUND"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.logs.filter((msg) => msg.startsWith("node removed"))).toHaveLength(1);
    // Accepted again (set-credential): the error clears with the first data.
    t.stream().onData(makeTestConfig([], { version: 1 }));
    expect(t.subscription.nodeGoneError).toBeNull();
    expect(t.logs).toContain("controller accepts this node again");
  });

  it("resubscribes at once when another call reached the controller during the backoff", async () => {
    const t = setUp();
    await t.start();
    t.stream().onError(new Error("connection refused"));
    t.subscription.resubscribeIfWaiting();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.streams).toHaveLength(2);
    // Nothing pending any more: no second subscription when the old timer would have fired.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.streams).toHaveLength(2);
  });

  it("stops: closes the stream and cancels a pending reconnect", async () => {
    const t = setUp();
    await t.start();
    t.stream().onError(new Error("connection refused"));
    t.subscription.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.streams).toHaveLength(1);
  });

  it("closes an open stream and retries slowly when another call was refused", async () => {
    const t = setUp({ nodeGoneRetryMs: 60_000 });
    await t.start();
    t.stream().onData(makeTestConfig([], { version: 1 }));
    t.subscription.refusedElsewhere("missing, unknown or revoked node credential");
    expect(t.subscription.nodeGoneError).toBe("missing, unknown or revoked node credential");
    expect(t.unsubscribed()).toBe(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(t.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.streams).toHaveLength(2);
  });
});
