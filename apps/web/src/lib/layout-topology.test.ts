import { describe, expect, it } from "vitest";
import {
  NODE_HEIGHT,
  NODE_WIDTH,
  estimateLabelSize,
  layoutTopology,
  placeEdgeLabels,
  type TPosition,
  type TRect,
} from "./layout-topology";

const make = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, index: i + 1 }));

function boxesOf(n: number) {
  const layout = layoutTopology(make(n));
  const anchors = new Map<string, TPosition>();
  const boxes = new Map<string, TRect>();
  for (const [id, { position, anchor }] of layout) {
    anchors.set(id, { x: position.x + anchor.x, y: position.y + anchor.y });
    boxes.set(id, { ...position, width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  return { anchors, boxes };
}

/** Does segment a→b pass through the inside of `box` (shrunk by 1 px against rounding)? */
function crossesBox(a: TPosition, b: TPosition, box: TRect): boolean {
  const x0 = box.x + 1;
  const y0 = box.y + 1;
  const x1 = box.x + box.width - 1;
  const y1 = box.y + box.height - 1;
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

const SIZES = [2, 3, 4, 5, 6, 8, 12, 20, 33, 50];

describe("layoutTopology", () => {
  it("is deterministic and does not depend on the order nodes arrive in", () => {
    const nodes = make(12);
    expect(layoutTopology(nodes)).toEqual(layoutTopology(make(12)));
    expect(layoutTopology([...nodes].reverse())).toEqual(layoutTopology(nodes));
  });

  it("uses the whole ring: 4 nodes sit top, right, bottom and left", () => {
    const { anchors } = boxesOf(4);
    const [top, right, bottom, left] = ["n0", "n1", "n2", "n3"].map((id) => anchors.get(id)!);
    expect(top!.y).toBeLessThan(0);
    expect(right!.x).toBeGreaterThan(0);
    expect(bottom!.y).toBeGreaterThan(0);
    expect(left!.x).toBeLessThan(0);
  });

  it.each(SIZES)("keeps %i node boxes apart", (n) => {
    const boxes = [...boxesOf(n).boxes.values()];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const isOverlapping = Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
        expect(isOverlapping, `${i} and ${j} overlap`).toBe(false);
      }
  });

  it.each(SIZES)("runs no edge under a node box with %i nodes (full mesh)", (n) => {
    const { anchors, boxes } = boxesOf(n);
    const ids = [...anchors.keys()];
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++)
        for (const [other, box] of boxes) {
          if (other === ids[i] || other === ids[j]) continue;
          expect(
            crossesBox(anchors.get(ids[i]!)!, anchors.get(ids[j]!)!, box),
            `${ids[i]}–${ids[j]} under ${other}`,
          ).toBe(false);
        }
  });
});

describe("placeEdgeLabels", () => {
  it.each([
    [2, 1],
    [3, 1],
    [4, 1],
    [5, 1],
    [6, 1],
    [7, 1],
    [20, 7],
    [50, 37],
  ])("hides no label and no node with %i nodes, every %i. edge labelled", (n, every) => {
    const { anchors, boxes } = boxesOf(n);
    const ids = [...anchors.keys()];
    const edges = ids
      .flatMap((a, i) =>
        ids.slice(i + 1).map((b) => ({
          id: `${a}:${b}`,
          from: anchors.get(a)!,
          to: anchors.get(b)!,
          size: estimateLabelSize("BGP down · BFD down · n7 silent"),
        })),
      )
      .filter((_, k) => k % every === 0);
    const placed = placeEdgeLabels(edges, [...boxes.values()]);
    const rects = edges.map((edge) => {
      const centre = placed.get(edge.id)!;
      return {
        x: centre.x - edge.size.width / 2,
        y: centre.y - edge.size.height / 2,
        ...edge.size,
      };
    });
    const overlap = (a: TRect, b: TRect) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (let i = 0; i < rects.length; i++) {
      for (const box of boxes.values())
        expect(overlap(rects[i]!, box), `${edges[i]!.id} label on a node`).toBe(false);
      for (let j = i + 1; j < rects.length; j++)
        expect(overlap(rects[i]!, rects[j]!), `${edges[i]!.id} / ${edges[j]!.id}`).toBe(false);
    }
  });
});
