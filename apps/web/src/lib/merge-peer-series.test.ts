import { describe, expect, it } from "vitest";
import { mergePeerSeries } from "./merge-peer-series";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

describe("mergePeerSeries", () => {
  it("puts every peer in one row per bucket and leaves a missing bucket null (a gap)", () => {
    const rows = mergePeerSeries(
      [
        {
          peerId: "a",
          points: [
            { at: at(0), v: 1 },
            { at: at(30), v: 2 },
            { at: at(90), v: 4 },
          ],
        },
        {
          peerId: "b",
          points: [
            { at: at(0), v: 5 },
            { at: at(90), v: 7 },
          ],
        },
      ],
      (p) => p.v,
      30_000,
    );
    expect(rows.map((r) => [r.t - at(0).getTime(), r.a, r.b])).toEqual([
      [0, 1, 5],
      [30_000, 2, null],
      [60_000, null, null],
      [90_000, 4, 7],
    ]);
  });

  it("is empty without points", () => {
    expect(mergePeerSeries([{ peerId: "a", points: [] }], () => 1, 30_000)).toEqual([]);
  });
});
