"use client";
// The mesh as a graph. Positions come from the nodes' mesh indices (layoutTopology), never
// from a force simulation, so a live refresh changes colours and labels but never moves a
// node. Edges are straight chords between node centres; at 50+ nodes (1,000+ edges) labels
// are drawn only for edges that need attention or are selected, to keep it readable and fast.
import {
  Background,
  BaseEdge,
  type Edge,
  type EdgeProps,
  EdgeLabelRenderer,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  Controls,
  getStraightPath,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useRouter } from "next/navigation";
import { memo, useMemo } from "react";
import { describeLink, type TLinkSummary } from "~/lib/describe-link";
import { formatMs } from "~/lib/format-values";
import { NODE_HEIGHT, NODE_WIDTH, layoutTopology } from "~/lib/layout-topology";
import type { TTopologyLink, TTopologyNode } from "./topology-types";

type TMeshNode = Node<{ node: TTopologyNode }, "mesh">;
type TLinkEdge = Edge<{ summary: TLinkSummary; isLabelled: boolean }, "link">;
// isLabelled is false only on big meshes: there healthy edges also fade so problems stand out.

/** Above this many edges only edges with issues (or the selected one) carry a label. */
const MAX_LABELLED_EDGES = 60;

/** Edge colours per BGP state; also used by the legend. */
export const LINK_COLOURS = {
  established: "#10b981",
  connecting: "#f59e0b",
  down: "#ef4444",
} as const;

const CENTRE_HANDLE = {
  top: "50%",
  left: "50%",
  transform: "translate(-50%, -50%)",
  opacity: 0,
  width: 1,
  height: 1,
  minWidth: 0,
  minHeight: 0,
  border: 0,
} as const;

const MeshNode = memo(function MeshNode({ data, selected }: NodeProps<TMeshNode>) {
  const { node } = data;
  return (
    <div
      data-testid={`topology-node-${node.name}`}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      className={`flex cursor-pointer flex-col justify-center rounded-lg border bg-white px-3 shadow-sm transition-shadow hover:shadow-md ${
        selected ? "border-blue-500 ring-2 ring-blue-200" : "border-slate-300"
      }`}
    >
      <Handle type="target" position={Position.Top} style={CENTRE_HANDLE} isConnectable={false} />
      <Handle type="source" position={Position.Top} style={CENTRE_HANDLE} isConnectable={false} />
      <div className="flex items-center gap-1.5">
        <span
          aria-label={node.isOnline ? "online" : "offline"}
          className={`size-2 shrink-0 rounded-full ${node.isOnline ? "bg-emerald-500" : "bg-slate-300"}`}
        />
        <span className="truncate text-[13px] font-semibold text-slate-900">{node.name}</span>
      </div>
      <span className="truncate font-mono text-[11px] text-slate-500">{node.ipv4}</span>
    </div>
  );
});

const LinkEdge = memo(function LinkEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  selected,
}: EdgeProps<TLinkEdge>) {
  const [path, labelX, labelY] = getStraightPath({ sourceX, sourceY, targetX, targetY });
  if (!data) return null;
  const { summary } = data;
  const hasIssues = summary.issues.length > 0;
  const colour = LINK_COLOURS[summary.state];
  const showLabel = data.isLabelled || selected || hasIssues;
  const mtu =
    summary.mtuConfigured == null
      ? null
      : `MTU ${summary.mtuMeasured ?? "?"}/${summary.mtuConfigured}`;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        interactionWidth={12}
        style={{
          stroke: colour,
          strokeWidth: selected ? 3 : hasIssues ? 2 : 1.5,
          strokeDasharray: summary.state === "connecting" ? "6 4" : undefined,
          opacity:
            selected || hasIssues || summary.state !== "established"
              ? 1
              : data.isLabelled
                ? 0.8
                : 0.25,
        }}
      />
      {showLabel && (
        <EdgeLabelRenderer>
          <div
            className={`nodrag nopan pointer-events-none absolute rounded border px-1.5 py-0.5 font-mono text-[10px] leading-tight whitespace-nowrap shadow-sm ${
              hasIssues
                ? "border-amber-400 bg-amber-50 text-amber-900"
                : "border-slate-200 bg-white text-slate-600"
            }`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {hasIssues && <span aria-label="warning">⚠ </span>}
            {[mtu, summary.rttMs == null ? null : formatMs(summary.rttMs)]
              .filter(Boolean)
              .join(" · ") || summary.state}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

const NODE_TYPES = { mesh: MeshNode };
const EDGE_TYPES = { link: LinkEdge };

/** The interactive topology graph: node click opens the node, edge click selects the link. */
export function TopologyGraph({
  nodes,
  links,
  now,
  staleAfterSec,
  selectedLinkId,
  onSelectLink,
}: {
  nodes: TTopologyNode[];
  links: TTopologyLink[];
  now: number;
  staleAfterSec: number;
  selectedLinkId: string | null;
  onSelectLink: (id: string | null) => void;
}) {
  const router = useRouter();
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.name])), [nodes]);
  const flowNodes = useMemo<TMeshNode[]>(() => {
    const positions = layoutTopology(nodes);
    return nodes.map((node) => ({
      id: node.id,
      type: "mesh",
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: { node },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    }));
  }, [nodes]);
  const flowEdges = useMemo<TLinkEdge[]>(() => {
    const isLabelled = links.length <= MAX_LABELLED_EDGES;
    return links.map((link) => ({
      id: link.id,
      type: "link",
      source: link.sourceId,
      target: link.targetId,
      selected: link.id === selectedLinkId,
      data: {
        isLabelled,
        summary: describeLink({
          forward: link.forward,
          reverse: link.reverse,
          now,
          staleAfterSec,
          sourceName: names.get(link.sourceId),
          targetName: names.get(link.targetId),
        }),
      },
    }));
  }, [links, now, staleAfterSec, names, selectedLinkId]);

  return (
    <ReactFlow
      nodes={flowNodes}
      edges={flowEdges}
      nodeTypes={NODE_TYPES}
      edgeTypes={EDGE_TYPES}
      nodesDraggable={false}
      nodesConnectable={false}
      colorMode="system"
      style={{ backgroundColor: "transparent" }}
      fitView
      fitViewOptions={{ padding: 0.15 }}
      minZoom={0.05}
      proOptions={{ hideAttribution: true }}
      onNodeClick={(_, node) => router.push(`/nodes/${node.id}`)}
      onEdgeClick={(_, edge) => onSelectLink(edge.id)}
      onPaneClick={() => onSelectLink(null)}
    >
      <Background gap={24} color="var(--color-slate-200)" />
      <Controls showInteractive={false} position="bottom-left" />
    </ReactFlow>
  );
}
