// Merging the live topology stream into the graph the page shows. Pure, so what a patch may
// change (only the reporters' directions and summaries) is unit-tested.
import type { TTopology, TTopologyUpdate } from "@meshover/api";

/**
 * The topology after `update`: a full event replaces it; a report patch replaces the reporting
 * nodes' summaries and the directions they reported, keeping every other object as it was (so
 * memoised edges and nodes do not redraw). A patch before any full event is ignored.
 */
export function applyTopologyUpdate(
  current: TTopology | undefined,
  update: TTopologyUpdate,
): TTopology | undefined {
  if (update.kind === "full") return update.topology;
  if (!current) return current;
  const nodes = new Map(update.nodes.map((node) => [node.id, node]));
  const directions = new Map(
    update.directions.map((d) => [`${d.nodeId}>${d.peerId}`, d.direction] as const),
  );
  return {
    ...current,
    nodes: current.nodes.map((node) => nodes.get(node.id) ?? node),
    edges: current.edges.map((edge) => {
      const forward = directions.get(`${edge.source}>${edge.target}`);
      const reverse = directions.get(`${edge.target}>${edge.source}`);
      if (!forward && !reverse) return edge;
      return {
        ...edge,
        sourceToTarget: forward ?? edge.sourceToTarget,
        targetToSource: reverse ?? edge.targetToSource,
      };
    }),
  };
}
