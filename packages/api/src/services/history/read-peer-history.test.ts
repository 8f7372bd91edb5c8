import { describe, expect, it } from "vitest";
import { toHistoryPoints } from "./read-peer-history";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

describe("toHistoryPoints", () => {
  it("turns byte counters into rates and handshakes into ages", () => {
    const points = toHistoryPoints([
      { bucket: t(0), lastAt: t(25), rttMs: 10, rxBytes: 1000n, txBytes: 500n, handshakeAt: t(5) },
      { bucket: t(30), lastAt: t(55), rttMs: 12, rxBytes: 4000n, txBytes: 800n, handshakeAt: t(5) },
      // Counter reset (agent or interface restarted): never a negative rate.
      { bucket: t(60), lastAt: t(85), rttMs: null, rxBytes: 10n, txBytes: 10n, handshakeAt: null },
    ]);
    expect(points).toEqual([
      { at: t(0), rttMs: 10, rxBps: null, txBps: null, handshakeAgeSec: 20 },
      { at: t(30), rttMs: 12, rxBps: 100, txBps: 10, handshakeAgeSec: 50 },
      { at: t(60), rttMs: null, rxBps: 0, txBps: 0, handshakeAgeSec: null },
    ]);
  });
});
