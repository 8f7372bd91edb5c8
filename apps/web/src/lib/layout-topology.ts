// Deterministic node positions for the topology graph. A full mesh has an edge between every
// pair, so a circle (edges as chords) is the readable layout; slots are keyed by the node's
// stable mesh index so a refresh or a new report never moves anything.

/** A node's position in graph coordinates (top-left of its box). */
export type TPosition = { x: number; y: number };

/** Width/height the node boxes are drawn at; the layout keeps them apart. */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 56;

/** Slots grow in steps of 8 so adding a node rarely changes the ring size. */
function countSlots(maxIndex: number) {
  return Math.max(8, Math.ceil((maxIndex + 1) / 8) * 8);
}

/**
 * Positions for nodes by mesh index: one ring whose size grows with the highest index. The same
 * indices always give the same positions.
 */
export function layoutTopology(
  nodes: readonly { id: string; index: number }[],
): Map<string, TPosition> {
  const positions = new Map<string, TPosition>();
  if (nodes.length === 0) return positions;
  const maxIndex = Math.max(...nodes.map((n) => n.index));
  const slots = countSlots(maxIndex);
  // Chord between neighbours at least a box width (plus a gap), whatever the angle.
  const spacing = NODE_WIDTH + 24;
  const radius = Math.max(240, spacing / (2 * Math.sin(Math.PI / slots)));
  for (const node of nodes) {
    const angle = (2 * Math.PI * (node.index % slots)) / slots - Math.PI / 2;
    positions.set(node.id, {
      x: Math.round(radius * Math.cos(angle) - NODE_WIDTH / 2),
      y: Math.round(radius * Math.sin(angle) - NODE_HEIGHT / 2),
    });
  }
  return positions;
}
