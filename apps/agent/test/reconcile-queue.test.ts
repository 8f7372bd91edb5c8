import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { restartHandshakes } from "../src/host/restart-handshakes";
import { ReconcileQueue } from "../src/reconcile/reconcile-queue";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);
const ROTATED_PRIVATE = makeTestKey(1001);
const ROTATED_PUBLIC = makeTestKey(2001);
const logger = pino({ level: "silent" });

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-queue-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setUp() {
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: false,
    keys: { [ROTATED_PRIVATE]: ROTATED_PUBLIC, [PRIVATE]: PUBLIC },
    socketDir: join(dir, "wg"),
  });
  const events: string[] = [];
  const queue = new ReconcileQueue({
    store,
    runner: fake,
    logger,
    host: createFakeHostDriver(fake, { store, logger }),
    frr: null,
    onKeyRotated: () => {
      events.push(`key rotated; host has ${fake.dump().includes("mo2") ? "mo2" : "no tunnel"}`);
      return Promise.resolve();
    },
    onChanged: (outcome) => events.push(`changed: ${outcome.operations.length} operations`),
  });
  return { fake, queue, events };
}

describe("ReconcileQueue", () => {
  it("runs tasks one at a time in order, also after one failed", async () => {
    const { queue } = setUp();
    const order: string[] = [];
    let release = () => {};
    const first = queue.enqueue(
      () =>
        new Promise<void>((resolve) => {
          order.push("first starts");
          release = () => {
            order.push("first ends");
            resolve();
          };
        }),
    );
    const failing = queue.enqueue(() => Promise.reject(new Error("boom")));
    const third = queue.enqueue(() => {
      order.push("third");
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(order).toEqual(["first starts"]);
    release();
    await first;
    await expect(failing).rejects.toThrow("boom");
    await third;
    expect(order).toEqual(["first starts", "first ends", "third"]);
  });

  it("folds configs that arrive while a config pass waits into that one pass", async () => {
    const { fake, queue, events } = setUp();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const busy = queue.enqueue(() => gate);
    // A burst (N nodes joining at once): three versions while the queue is busy.
    const passes = [2, 3, 4].map((version) =>
      queue.accept(makeTestConfig([makeTestPeer(2), makeTestPeer(version + 1)], { version })),
    );
    expect(new Set(passes).size).toBe(1);
    release();
    await busy;
    await Promise.all(passes);
    // One pass, straight to version 4's tunnels (peer 5); versions 2 and 3 were never applied.
    expect(queue.appliedVersion).toBe(4);
    expect(events).toHaveLength(1);
    expect(fake.dump()).toContain("mo5 wireguard up");
    expect(fake.dump()).not.toContain("mo3");
    // Once that pass started, a newer config needs (and gets) its own pass.
    await queue.accept(makeTestConfig([makeTestPeer(2)], { version: 5 }));
    expect(queue.appliedVersion).toBe(5);
  });

  it("caches an accepted config, applies it, and reports the change once", async () => {
    const { fake, queue, events } = setUp();
    const config = makeTestConfig([makeTestPeer(2)], { version: 4 });
    await queue.accept(config);
    const built = queue.lastOutcome?.operations.length;
    expect(built).toBeGreaterThan(0);
    expect(store.readCachedConfig()).toEqual(config);
    expect(queue.appliedVersion).toBe(4);
    expect(fake.dump()).toContain("mo2 wireguard up");
    await queue.reconcile("resync");
    // The resync found nothing to do: no second change report.
    expect(events).toEqual([`changed: ${built} operations`]);
  });

  it("on a rotation builds the next key's tunnel beside the current one, then promotes it", async () => {
    const { fake, queue, events } = setUp();
    await queue.accept(makeTestConfig([makeTestPeer(2)], { version: 1 }));
    const rotation = { id: "00000000-0000-4000-8000-0000000000ff" };
    await queue.accept({ ...makeTestConfig([makeTestPeer(2)], { version: 2 }), rotation });
    // The current key stays current (its tunnel carries traffic); the next one is made and the
    // controller told before the new tunnel is built.
    expect(store.readKeys()).toMatchObject({
      publicKey: PUBLIC,
      next: { publicKey: ROTATED_PUBLIC, rotationId: rotation.id },
    });
    expect(events.slice(1, 2)).toEqual(["key rotated; host has mo2"]);
    const during = fake.dump();
    expect(during).toMatch(new RegExp(`mo2 wireguard up.*\\n.*wg pub=${PUBLIC.slice(0, 8)}`));
    expect(during).toMatch(
      new RegExp(`mo2r wireguard up.*\\n.*wg pub=${ROTATED_PUBLIC.slice(0, 8)}`),
    );
    // Promoted: the node's keySlot flips and the rotation is gone from the config.
    const promoted = makeTestConfig([makeTestPeer(2)], { version: 3 });
    await queue.accept({ ...promoted, self: { ...promoted.self, keySlot: 1 } });
    expect(store.readKeys()).toMatchObject({ publicKey: ROTATED_PUBLIC, slot: 1, next: null });
    const after = fake.dump();
    expect(after).toMatch(
      new RegExp(`mo2r wireguard up.*\\n.*wg pub=${ROTATED_PUBLIC.slice(0, 8)}`),
    );
    // No FRR here (--frr none): nothing routes over the old tunnel, so it goes at once.
    expect(after).not.toMatch(/mo2 wireguard/);
  });

  it("carries out a re-apply request once, reporting it even when nothing needed fixing", async () => {
    const { queue, events } = setUp();
    const config = makeTestConfig([makeTestPeer(2)]);
    await queue.accept(config);
    events.length = 0;
    const reapplyId = "9b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    await queue.accept({ ...config, version: 2, reapplyId });
    expect(events).toEqual(["changed: 0 operations"]);
    expect(queue.reappliedId).toBe(reapplyId);
    // The same request again (a later version still carrying it) is not a new re-apply.
    await queue.accept({ ...config, version: 3, reapplyId });
    expect(events).toEqual(["changed: 0 operations"]);
  });

  it("tries a failed pass again after 1 s, then 2 s, and stops once a pass succeeds", async () => {
    vi.useFakeTimers();
    try {
      const { fake, queue, events } = setUp();
      // Two passes fail on the tunnel's `wg set` (its port taken for a moment).
      fake.failNext = "wg set mo2";
      await queue.accept(makeTestConfig([makeTestPeer(2)], { version: 3 }));
      expect(queue.lastOutcome?.error).toMatch(/injected failure: wg set mo2/);
      expect(events).toHaveLength(1);
      fake.failNext = "wg set mo2";
      await vi.advanceTimersByTimeAsync(999);
      expect(events).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(events).toHaveLength(2);
      expect(queue.lastOutcome?.error).toMatch(/injected failure/);
      // The second try waits twice as long, and builds the tunnel.
      await vi.advanceTimersByTimeAsync(1999);
      expect(events).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(events).toHaveLength(3);
      expect(queue.lastOutcome?.error).toBeNull();
      expect(queue.appliedVersion).toBe(3);
      expect(fake.dump()).toContain("mo2 wireguard up");
      // No more tries after a success.
      await vi.advanceTimersByTimeAsync(20_000);
      expect(events).toHaveLength(3);
      await queue.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("does nothing once stopped", async () => {
    const { fake, queue } = setUp();
    await queue.stop();
    await queue.accept(makeTestConfig([makeTestPeer(2)]));
    expect(fake.takeMutations()).toBe("");
  });
});

// The rotating end's restart of a stalled first handshake (watch-handshakes.ts), on tunnels a
// queue built.
describe("restartHandshakes", () => {
  async function buildTunnels() {
    const { fake, queue } = setUp();
    await queue.accept(makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 1 }));
    fake.takeMutations();
    return fake;
  }

  it("re-adds the peer of each given tunnel without a handshake, with its settings, in one wg set", async () => {
    const fake = await buildTunnels();
    const before = fake.dump();
    await restartHandshakes(fake, logger, ["mo2"]);
    const peer = makeTestPeer(2).publicKey.replaceAll("+", "\\+");
    expect(fake.takeMutations()).toMatch(
      new RegExp(
        `^wg set mo2 peer ${peer} remove peer ${peer} endpoint \\S+ allowed-ips 0\\.0\\.0\\.0/0,::/0 persistent-keepalive 25$`,
      ),
    );
    // The same peer, endpoint, allowed IPs and keepalive as before: only its state is new.
    expect(fake.dump()).toBe(before);
  });

  it("leaves a tunnel that has handshaken alone", async () => {
    const fake = await buildTunnels();
    fake.handshakeAt = 1_700_000_000;
    await restartHandshakes(fake, logger, ["mo2", "mo3"]);
    expect(fake.takeMutations()).toBe("");
  });
});
