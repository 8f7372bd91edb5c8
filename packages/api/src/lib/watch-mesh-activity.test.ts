import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TPrismaClient } from "@meshover/prisma";
import { MeshFanout } from "./mesh-fanout";
import { watchMeshActivity } from "./watch-mesh-activity";

// publish/publishReport never touch the database.
const makeFanout = () => new MeshFanout({} as TPrismaClient);

describe("watchMeshActivity", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("batches reports that arrive within the coalescing window into one wake-up", async () => {
    const fanout = makeFanout();
    const abort = new AbortController();
    const batches = watchMeshActivity(fanout, abort.signal, 200);
    const next = batches.next();
    fanout.publishReport("a");
    await vi.advanceTimersByTimeAsync(100);
    fanout.publishReport("b");
    fanout.publishReport("a");
    await vi.advanceTimersByTimeAsync(150);
    const { value } = await next;
    expect(value).toEqual({ reportedNodeIds: new Set(["a", "b"]), isMeshChanged: false });
    abort.abort();
  });

  it("hears reports made before the first next() (while the caller reads its snapshot)", async () => {
    const fanout = makeFanout();
    const abort = new AbortController();
    const batches = watchMeshActivity(fanout, abort.signal, 0);
    fanout.publishReport("early");
    const next = batches.next();
    await vi.advanceTimersByTimeAsync(1);
    expect((await next).value?.reportedNodeIds).toEqual(new Set(["early"]));
    abort.abort();
  });

  it("flags a mesh version change, and does not leave version waiters behind on reports", async () => {
    const fanout = makeFanout();
    const abort = new AbortController();
    const batches = watchMeshActivity(fanout, abort.signal, 0);
    for (let i = 0; i < 5; i++) {
      const next = batches.next();
      fanout.publishReport("n");
      await vi.advanceTimersByTimeAsync(1);
      expect((await next).value?.isMeshChanged).toBe(false);
    }
    expect(fanout.waiterCount).toBe(0);
    const next = batches.next();
    fanout.publish(7n);
    await vi.advanceTimersByTimeAsync(1);
    expect((await next).value).toEqual({ reportedNodeIds: new Set(), isMeshChanged: true });
    abort.abort();
  });

  it("stops listening when the signal aborts, even if never iterated", async () => {
    const fanout = makeFanout();
    const abort = new AbortController();
    const batches = watchMeshActivity(fanout, abort.signal);
    expect(fanout.reportListenerCount).toBe(1);
    abort.abort();
    expect(fanout.reportListenerCount).toBe(0);
    const next = batches.next();
    await vi.advanceTimersByTimeAsync(1);
    expect((await next).done).toBe(true);
    expect(fanout.waiterCount).toBe(0);
  });
});
