// Chart rows for every peer at once: one row per history bucket from the first to the last,
// one column per peer. A bucket without a sample stays null, so a chart (connectNulls off)
// draws an outage as a gap instead of a straight line across it. Pure, tested.

/** One peer's history points (bucket start times). */
export type TPeerSeries<TPoint> = { peerId: string; points: (TPoint & { at: Date | string })[] };

/** A chart row: `t` (ms) plus one value (or null) per peer id. */
export type TSeriesRow = { t: number } & Record<string, number | null>;

/** Merge `peers` into rows on a `bucketMs` grid, taking each value with `pick`. */
export function mergePeerSeries<TPoint>(
  peers: readonly TPeerSeries<TPoint>[],
  pick: (point: TPoint) => number | null,
  bucketMs: number,
): TSeriesRow[] {
  const values = new Map<number, Map<string, number | null>>();
  for (const peer of peers)
    for (const point of peer.points) {
      const t = new Date(point.at).getTime();
      const row = values.get(t) ?? new Map<string, number | null>();
      row.set(peer.peerId, pick(point));
      values.set(t, row);
    }
  if (values.size === 0) return [];
  const times = [...values.keys()].sort((a, b) => a - b);
  const first = times[0]!;
  const last = times.at(-1)!;
  const rows: TSeriesRow[] = [];
  for (let t = first; t <= last; t += bucketMs) {
    const row: TSeriesRow = { t };
    const sample = values.get(t);
    for (const peer of peers) row[peer.peerId] = sample?.get(peer.peerId) ?? null;
    rows.push(row);
  }
  return rows;
}
