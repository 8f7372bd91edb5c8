import { describe, expect, it } from "vitest";
import { classifyLinkState, type TLinkEnd } from "./classify-link-state";

const end = (bgpState: string | null, isFresh = true, at = 1_000): TLinkEnd => ({
  bgpState,
  at,
  isFresh,
});

describe("classifyLinkState", () => {
  it("is established only when every fresh end says Established", () => {
    expect(
      classifyLinkState({ ends: [end("Established"), end("Established")], wasEstablished: false }),
    ).toBe("established");
  });

  it("is down at once when the other end says Active/Connect/Idle after an Established report", () => {
    for (const state of ["Active", "Connect", "Idle"])
      expect(
        classifyLinkState({
          ends: [end(state, true, 2_000), end("Established", true, 1_000)],
          wasEstablished: false,
        }),
      ).toBe("down");
  });

  it("is connecting when the non-established report is older than the Established one", () => {
    expect(
      classifyLinkState({
        ends: [end("Active", true, 1_000), end("Established", true, 2_000)],
        wasEstablished: false,
      }),
    ).toBe("connecting");
    // ...unless this page saw it Established before: then it broke.
    expect(
      classifyLinkState({
        ends: [end("Active", true, 1_000), end("Established", true, 2_000)],
        wasEstablished: true,
      }),
    ).toBe("down");
  });

  it("is down when the peer stopped reporting and this end is not Established (a cut node)", () => {
    expect(
      classifyLinkState({
        ends: [end("Active"), end("Established", false)],
        wasEstablished: false,
      }),
    ).toBe("down");
    expect(
      classifyLinkState({ ends: [end("Connect"), end(null, false)], wasEstablished: false }),
    ).toBe("down");
  });

  it("is connecting while both ends come up for the first time", () => {
    expect(
      classifyLinkState({ ends: [end("Active"), end("Connect")], wasEstablished: false }),
    ).toBe("connecting");
    expect(
      classifyLinkState({ ends: [end("OpenSent"), end("OpenConfirm")], wasEstablished: false }),
    ).toBe("connecting");
  });

  it("is down when both ends fell back to Connect/Active after being Established", () => {
    expect(classifyLinkState({ ends: [end("Active"), end("Connect")], wasEstablished: true })).toBe(
      "down",
    );
  });

  it("is down when both ends are Idle or nothing fresh is known", () => {
    expect(classifyLinkState({ ends: [end("Idle"), end("Idle")], wasEstablished: false })).toBe(
      "down",
    );
    expect(
      classifyLinkState({
        ends: [end("Established", false), end("Established", false)],
        wasEstablished: true,
      }),
    ).toBe("down");
  });
});
