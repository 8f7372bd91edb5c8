import { describe, expect, it } from "vitest";
import { deriveReportEvents, type TTunnelState } from "./derive-report-events";

const T0 = new Date("2026-01-01T12:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const tunnel = (s: number, overrides: Partial<TTunnelState> = {}): TTunnelState => ({
  peerId: "p1",
  at: at(s),
  bgpState: "Established",
  bfdState: "up",
  handshakeAt: at(s - 10),
  ...overrides,
});

function derive(
  before: TTunnelState[],
  after: TTunnelState[],
  versions: [number | null, number | null] = [3, 3],
) {
  return deriveReportEvents({
    nodeId: "n1",
    previous: { appliedVersion: versions[0], tunnels: before },
    next: { at: after[0]?.at ?? at(5), appliedVersion: versions[1], tunnels: after },
  }).map((e) => [e.kind, e.peerId, e.detail]);
}

describe("deriveReportEvents", () => {
  it("says nothing when nothing changed", () => {
    expect(derive([tunnel(0)], [tunnel(5)])).toEqual([]);
  });

  it("records BGP down and up with the states it went between", () => {
    expect(derive([tunnel(0)], [tunnel(5, { bgpState: "Active" })])).toEqual([
      ["bgp_down", "p1", "Established → Active"],
    ]);
    expect(derive([tunnel(0, { bgpState: "Connect" })], [tunnel(5)])).toEqual([
      ["bgp_up", "p1", "Connect → Established"],
    ]);
  });

  it("records BFD down and up, but not BFD switched off", () => {
    expect(derive([tunnel(0)], [tunnel(5, { bfdState: "down" })])).toEqual([
      ["bfd_down", "p1", "up → down"],
    ]);
    expect(derive([tunnel(0, { bfdState: "down" })], [tunnel(5)])).toEqual([
      ["bfd_up", "p1", "down → up"],
    ]);
    expect(derive([tunnel(0)], [tunnel(5, { bfdState: null })])).toEqual([]);
  });

  it("records a handshake gap when it starts and when it ends", () => {
    const last = at(0);
    expect(
      derive([tunnel(170, { handshakeAt: last })], [tunnel(185, { handshakeAt: last })]),
    ).toEqual([["handshake_stale", "p1", "no handshake for 185 s"]]);
    expect(
      derive([tunnel(300, { handshakeAt: last })], [tunnel(305, { handshakeAt: at(303) })]),
    ).toEqual([["handshake_resumed", "p1", "after a 303 s gap"]]);
  });

  it("records a newly applied config version, not an unchanged or unknown one", () => {
    expect(derive([], [], [3, 4])).toEqual([["config_applied", null, "v4"]]);
    expect(derive([], [], [4, 4])).toEqual([]);
    expect(derive([], [], [4, null])).toEqual([]);
  });

  it("needs a previous sample: a new tunnel yields nothing", () => {
    expect(derive([], [tunnel(5, { bgpState: "Active", bfdState: "down" })])).toEqual([]);
  });
});
