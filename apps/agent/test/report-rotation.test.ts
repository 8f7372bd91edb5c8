import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TRotationReport } from "@meshover/netcfg";
import { RotationReporter } from "../src/health/report-rotation";
import { ReconcileQueue } from "../src/reconcile/reconcile-queue";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);
const NEXT_PRIVATE = makeTestKey(1001);
const NEXT_PUBLIC = makeTestKey(2001);
const ROTATION = { id: "00000000-0000-4000-8000-0000000000ff" };
const logger = pino({ level: "silent" });

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-rotation-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("RotationReporter", () => {
  it("sends the next key and the rotation tunnels' handshakes alone; the watch starts before the pass applies", async () => {
    const fake = new FakeHost({
      hasKernelWireguard: true,
      hasDummy: false,
      keys: { [NEXT_PRIVATE]: NEXT_PUBLIC, [PRIVATE]: PUBLIC },
      socketDir: join(dir, "wg"),
    });
    const sent: TRotationReport[] = [];
    const watched: string[] = [];
    const queue: ReconcileQueue = new ReconcileQueue({
      store,
      runner: fake,
      logger,
      host: createFakeHostDriver(fake, { store, logger }),
      frr: null,
      onKeyRotated: () => reporter.report("next key"),
      onChanged: () => undefined,
      // Called before the pass builds the tunnel: mo2r is not on the host yet.
      onRotationTunnels: (devices) =>
        watched.push(`${devices.join(",")} (host has mo2r: ${fake.dump().includes("mo2r")})`),
    });
    const reporter = new RotationReporter({
      store,
      runner: fake,
      logger,
      queue,
      send: (report) => {
        sent.push(report);
        return Promise.resolve();
      },
      controllerError: () => null,
    });
    const peer = makeTestPeer(2);
    await queue.accept(makeTestConfig([peer], { version: 1 }));
    // No rotation: nothing to say.
    await reporter.report("idle");
    expect(sent).toEqual([]);

    await queue.accept({ ...makeTestConfig([peer], { version: 2 }), rotation: ROTATION });
    expect(watched).toEqual(["mo2r (host has mo2r: false)"]);
    // Sent as soon as the key was made, before its tunnel existed.
    expect(sent).toEqual([
      { nextKey: { publicKey: NEXT_PUBLIC, rotationId: ROTATION.id }, rotationTunnels: [] },
    ]);
    // The tunnel is up; no handshake yet, then one.
    await reporter.report("poll");
    const tunnel = { peerId: peer.id, interface: "mo2r", publicKey: NEXT_PUBLIC };
    expect(sent[1]?.rotationTunnels).toEqual([
      { ...tunnel, peerPublicKey: peer.publicKey, handshakeAt: null },
    ]);
    fake.handshakeAt = 1_700_000_000;
    await reporter.report("handshake");
    expect(sent[2]?.rotationTunnels).toEqual([
      { ...tunnel, peerPublicKey: peer.publicKey, handshakeAt: "2023-11-14T22:13:20.000Z" },
    ]);
  });
});
