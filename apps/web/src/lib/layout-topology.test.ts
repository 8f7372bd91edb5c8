import { describe, expect, it } from "vitest";
import { NODE_HEIGHT, NODE_WIDTH, layoutTopology } from "./layout-topology";

const make = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, index: i + 1 }));

describe("layoutTopology", () => {
  it("is deterministic and keeps existing nodes in place when one is added", () => {
    const five = layoutTopology(make(5));
    const six = layoutTopology(make(6));
    expect(layoutTopology(make(5))).toEqual(five);
    for (const [id, pos] of five) expect(six.get(id)).toEqual(pos);
  });

  it("does not depend on the order nodes arrive in", () => {
    const nodes = make(12);
    expect(layoutTopology([...nodes].reverse())).toEqual(layoutTopology(nodes));
  });

  it("keeps 60 node boxes from overlapping", () => {
    const positions = [...layoutTopology(make(60)).values()];
    for (let i = 0; i < positions.length; i++)
      for (let j = i + 1; j < positions.length; j++) {
        const a = positions[i]!;
        const b = positions[j]!;
        const overlaps = Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
        expect(overlaps, `${i} and ${j} overlap`).toBe(false);
      }
  });
});
