import { describe, expect, it } from "vitest";
import { ZPeerMetrics } from "@meshover/netcfg";
import { readStoredMetrics } from "./health-sample";

/** Every metric unknown (each defaults to null). */
const NONE = ZPeerMetrics.parse({});

describe("readStoredMetrics", () => {
  it("reads metrics stored before they existed as null", () => {
    expect(readStoredMetrics({ bfdState: "up" })).toEqual({ ...NONE, bfdState: "up" });
    expect(readStoredMetrics({})).toEqual(NONE);
  });

  it("turns only the invalid field into null, not the whole sample", () => {
    expect(readStoredMetrics({ mtuMeasured: 70000, bgpState: "Established" })).toEqual({
      ...NONE,
      bgpState: "Established",
    });
  });

  it("reads garbage as all unknown", () => {
    expect(readStoredMetrics(null)).toEqual(NONE);
    expect(readStoredMetrics("x")).toEqual(NONE);
  });
});
