// Deterministic positions for the topology graph. A full mesh has an edge between every pair,
// so a ring is the readable layout: nodes spread evenly around it by mesh index (the whole
// circle is used whatever the count), each box placed OUTSIDE the ring with its edge anchor on
// the ring. Edges are chords, which stay inside the ring, so no edge runs under a node box.
// Edge labels are placed along their chord where they hide no other label and no node. Pure:
// the same nodes always give the same picture, so a live update never moves anything.

/** A point in graph coordinates. */
export type TPosition = { x: number; y: number };

/** Where a node is drawn: its box's top-left, and its edge anchor relative to that corner. */
export type TNodeLayout = { position: TPosition; anchor: TPosition };

/** Width/height the node boxes are drawn at; the layout keeps them apart. */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 56;

/** Gap between neighbouring boxes on the ring. */
const GAP = 24;
const MIN_RADIUS = 260;

function clamp(value: number, min: number, max: number) {
  return Math.min(max, Math.max(min, value));
}

/** The ring's radius for `count` nodes: neighbours' anchors a box width (plus a gap) apart. */
export function ringRadius(count: number): number {
  if (count <= 1) return 0;
  return Math.max(MIN_RADIUS, (NODE_WIDTH + GAP) / (2 * Math.sin(Math.PI / count)));
}

/**
 * Layout for nodes (ordered by mesh index, evenly around the ring, the first at the top). The
 * anchor is the box's point nearest the centre, on the ring: the box sits just outside it.
 */
export function layoutTopology(
  nodes: readonly { id: string; index: number }[],
): Map<string, TNodeLayout> {
  const layout = new Map<string, TNodeLayout>();
  const sorted = [...nodes].sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
  const radius = ringRadius(sorted.length);
  const halfW = NODE_WIDTH / 2;
  const halfH = NODE_HEIGHT / 2;
  sorted.forEach((node, rank) => {
    const angle = (2 * Math.PI * rank) / sorted.length - Math.PI / 2;
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    // Push the box out along its ray until its nearest point is on the ring: every box is then
    // outside the disc, every chord inside it, and the edges meet the box at that point.
    const nearest = (d: number) => ({
      x: clamp(0, d * ux - halfW, d * ux + halfW),
      y: clamp(0, d * uy - halfH, d * uy + halfH),
    });
    let low = radius;
    let high = radius + halfW + halfH;
    for (let step = 0; step < 40; step++) {
      const mid = (low + high) / 2;
      const p = nearest(mid);
      if (Math.hypot(p.x, p.y) < radius) low = mid;
      else high = mid;
    }
    const centreX = high * ux;
    const centreY = high * uy;
    const position = { x: Math.round(centreX - halfW), y: Math.round(centreY - halfH) };
    const touch = nearest(high);
    layout.set(node.id, {
      position,
      anchor: { x: Math.round(touch.x) - position.x, y: Math.round(touch.y) - position.y },
    });
  });
  return layout;
}

/** An axis-aligned rectangle (top-left and size). */
export type TRect = { x: number; y: number; width: number; height: number };

function overlaps(a: TRect, b: TRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Where along its chord a label may go (fractions from the source end), best first. */
const LABEL_FRACTIONS = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85];
/** Sideways shifts off the chord (px) tried at each spot. */
const LABEL_SHIFTS = [0, 14, -14, 28, -28, 42, -42];
const LABEL_SPOTS = LABEL_SHIFTS.flatMap((shift) =>
  LABEL_FRACTIONS.map((f) => [f, shift] as const),
);

/** The size a label of `text` takes (10 px monospace, padding, border). */
export function estimateLabelSize(text: string): { width: number; height: number } {
  return { width: Math.ceil(text.length * 6.1) + 18, height: 18 };
}

/**
 * Label centres for `edges` (between anchors `from` and `to`): the first spot along the chord
 * that overlaps no node box and no label placed before it; edges earlier in the list (put the
 * important ones first) get the better spots. Falls back to the midpoint when nothing is free.
 */
export function placeEdgeLabels(
  edges: readonly {
    id: string;
    from: TPosition;
    to: TPosition;
    size: { width: number; height: number };
  }[],
  boxes: readonly TRect[],
): Map<string, TPosition> {
  const placed: TRect[] = [];
  const result = new Map<string, TPosition>();
  for (const edge of edges) {
    const dx = edge.to.x - edge.from.x;
    const dy = edge.to.y - edge.from.y;
    const length = Math.hypot(dx, dy) || 1;
    const rectAt = ([f, shift]: readonly [number, number]): TRect => ({
      x: edge.from.x + dx * f - (dy / length) * shift - edge.size.width / 2,
      y: edge.from.y + dy * f + (dx / length) * shift - edge.size.height / 2,
      ...edge.size,
    });
    const spot =
      LABEL_SPOTS.find((candidate) => {
        const rect = rectAt(candidate);
        return !boxes.some((box) => overlaps(rect, box)) && !placed.some((p) => overlaps(rect, p));
      }) ?? LABEL_SPOTS[0]!;
    const rect = rectAt(spot);
    placed.push(rect);
    result.set(edge.id, { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 });
  }
  return result;
}
