import { describe, expect, it } from "vitest";
import { ZPeerMetrics } from "@meshover/netcfg";
import { describeLink, type TLinkDirection } from "./describe-link";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000);

function healthy(overrides: Partial<TLinkDirection> = {}): TLinkDirection {
  return {
    // Every metric unknown unless set below, so a new metric needs no change here.
    ...ZPeerMetrics.parse({}),
    at: ago(2),
    handshakeAt: ago(30),
    rxBytes: 100,
    txBytes: 200,
    bgpState: "Established",
    bgpUptimeSec: 600,
    bfdState: "up",
    prefixesReceived: 2,
    mtuConfigured: 1420,
    mtuMeasured: 1420,
    rttMs: 10,
    ...overrides,
  };
}

describe("describeLink", () => {
  it("calls a link established with no issues when both ends are healthy", () => {
    const s = describeLink({
      forward: healthy({ rttMs: 10 }),
      reverse: healthy({ rttMs: 12 }),
      now: NOW,
      staleAfterSec: 60,
    });
    expect(s).toEqual({
      state: "established",
      issues: [],
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 11,
    });
  });

  it("is down with no reports, connecting when one end's older report is still opening", () => {
    expect(describeLink({ forward: null, reverse: null, now: NOW, staleAfterSec: 60 }).state).toBe(
      "down",
    );
    const s = describeLink({
      forward: healthy(),
      reverse: healthy({ bgpState: "Active", at: ago(4) }),
      now: NOW,
      staleAfterSec: 60,
    });
    expect(s.state).toBe("connecting");
    // The same states with the Active report newer: the session broke.
    const broken = describeLink({
      forward: healthy({ at: ago(4) }),
      reverse: healthy({ bgpState: "Active", at: ago(1) }),
      now: NOW,
      staleAfterSec: 60,
    });
    expect(broken.state).toBe("down");
    const idle = describeLink({
      forward: healthy({ bgpState: "Idle" }),
      reverse: healthy({ bgpState: null }),
      now: NOW,
      staleAfterSec: 60,
    });
    expect(idle.state).toBe("down");
  });

  it("ignores stale reports and says so", () => {
    const s = describeLink({
      forward: healthy({ at: ago(600) }),
      reverse: null,
      now: NOW,
      staleAfterSec: 60,
      sourceName: "a",
      targetName: "b",
    });
    expect(s.state).toBe("down");
    expect(s.issues.map((i) => i.message)).toEqual(["a's report is stale", "no report from b"]);
  });

  it("flags MTU below configured, BFD down and a stale handshake", () => {
    const s = describeLink({
      forward: healthy({ mtuMeasured: 1380 }),
      reverse: healthy({ bfdState: "down", handshakeAt: ago(400) }),
      now: NOW,
      staleAfterSec: 60,
      sourceName: "a",
      targetName: "b",
    });
    expect(s.state).toBe("established");
    expect(s.issues.map((i) => i.kind)).toEqual(["mtu", "bfd", "handshake"]);
    expect(s.mtuMeasured).toBe(1380);
  });
});
