"use client";
// The mesh as a graph. Positions come from the nodes' mesh indices (layoutTopology), never
// from a force simulation, so a live refresh changes colours and labels but never moves a
// node. Edges are chords between anchors on a ring with the boxes outside it (no edge under a
// node); labels go where they hide nothing (placeEdgeLabels). Above 21 edges (7 nodes) only
// edges that need attention or are selected carry a label, to keep it readable and fast.
import {
  Background,
  BaseEdge,
  type Edge,
  type EdgeProps,
  EdgeLabelRenderer,
  Handle,
  type Node,
  type NodeHandle,
  type NodeProps,
  Position,
  ReactFlow,
  Controls,
  getStraightPath,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useRouter } from "next/navigation";
import { memo, useEffect, useMemo, useRef } from "react";
import { describeLink, formatLinkLabel, type TLinkSummary } from "~/lib/describe-link";
import { linkKey } from "~/lib/classify-link-state";
import { formatAgo, formatMs } from "~/lib/format-values";
import {
  NODE_HEIGHT,
  NODE_WIDTH,
  estimateLabelSize,
  layoutTopology,
  placeEdgeLabels,
  type TPosition,
} from "~/lib/layout-topology";
import {
  REACH_STYLES,
  classifyReach,
  describeReach,
  reachKey,
  type TPairReach,
} from "~/lib/describe-reach";
import type { TTopologyLink, TTopologyNode } from "./topology-types";

type TMeshNode = Node<
  { node: TTopologyNode; now: number; isStale: boolean; anchor: TPosition },
  "mesh"
>;
type TLinkEdge = Edge<
  {
    summary: TLinkSummary;
    isLabelled: boolean;
    isStale: boolean;
    label: string;
    labelAt: TPosition | null;
    /** How the pair reaches each other (issue #17); null while unknown. */
    reach: TPairReach | null;
  },
  "link"
>;
// isLabelled is false only on big meshes: there healthy edges also fade so problems stand out.

/** Above this many edges only edges with issues (or the selected one) carry a label. */
const MAX_LABELLED_EDGES = 21;
/** At most this many problem labels (the most important first): more is unreadable; the stats
 * and the link panel have the rest. */
const MAX_PROBLEM_LABELS = 30;

/** Edge colours per BGP state; also used by the legend. */
export const LINK_COLOURS = {
  established: "#10b981",
  connecting: "#f59e0b",
  down: "#ef4444",
} as const;

/** Where a node missing from the layout goes (none is: every node has a mesh index). */
const ORIGIN_PLACE = { position: { x: 0, y: 0 }, anchor: { x: 0, y: 0 } };
/** Handles are this many pixels square, centred on the node's anchor. */
const HANDLE_PX = 1;
const ANCHOR_HANDLE = {
  transform: "translate(-50%, -50%)",
  opacity: 0,
  width: HANDLE_PX,
  height: HANDLE_PX,
  minWidth: 0,
  minHeight: 0,
  border: 0,
} as const;

/** The node's two invisible handles, both on its anchor (see MeshNode), as xyflow stores them. */
function anchorHandles(anchor: TPosition): NodeHandle[] {
  const at = {
    x: anchor.x - HANDLE_PX / 2,
    y: anchor.y - HANDLE_PX / 2,
    width: HANDLE_PX,
    height: HANDLE_PX,
    position: Position.Top,
  };
  return [
    { ...at, type: "source" },
    { ...at, type: "target" },
  ];
}

const MeshNode = memo(function MeshNode({ data, selected }: NodeProps<TMeshNode>) {
  const { node, now, isStale, anchor } = data;
  const handleStyle = { ...ANCHOR_HANDLE, left: anchor.x, top: anchor.y };
  return (
    <div
      data-testid={`topology-node-${node.name}`}
      data-online={node.isOnline ? "true" : "false"}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      className={`flex cursor-pointer flex-col justify-center rounded-lg border bg-white px-3 shadow-sm transition-shadow hover:shadow-md ${
        selected
          ? "border-blue-500 ring-2 ring-blue-200"
          : node.isOnline
            ? "border-slate-300"
            : "border-dashed border-red-400"
      } ${isStale ? "opacity-60" : ""}`}
    >
      <Handle type="target" position={Position.Top} style={handleStyle} isConnectable={false} />
      <Handle type="source" position={Position.Top} style={handleStyle} isConnectable={false} />
      <div className="flex items-center gap-1.5">
        <span
          aria-label={node.isOnline ? "online" : "offline"}
          className={`size-2 shrink-0 rounded-full ${node.isOnline ? "bg-emerald-500" : "bg-slate-300"}`}
        />
        <span className="truncate text-[13px] font-semibold text-slate-900">{node.name}</span>
      </div>
      {node.isOnline ? (
        <span className="truncate font-mono text-[11px] text-slate-500">{node.ipv4}</span>
      ) : (
        <span className="truncate text-[11px] text-red-700">
          {node.lastSeenAt ? `last seen ${formatAgo(node.lastSeenAt, now)}` : "never seen"}
        </span>
      )}
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
  const [path, midX, midY] = getStraightPath({ sourceX, sourceY, targetX, targetY });
  if (!data) return null;
  const { summary, isStale } = data;
  const labelX = data.labelAt?.x ?? midX;
  const labelY = data.labelAt?.y ?? midY;
  // No tunnel by design (via another node, or unreachable): drawn by its reach, never "down".
  const reachStyle = data.reach ? REACH_STYLES[classifyReach(data.reach)] : null;
  const isTunnel = !data.reach || data.reach.kind === "direct";
  const hasIssues = isTunnel && summary.issues.length > 0;
  const isDown = isTunnel ? summary.state === "down" : data.reach?.kind === "unreachable";
  // Stale data (the live stream is lost) is drawn grey and dashed: known once, not now.
  const colour = isStale ? "#94a3b8" : (reachStyle?.colour ?? LINK_COLOURS[summary.state]);
  const showLabel = data.isLabelled;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        interactionWidth={12}
        style={{
          stroke: colour,
          strokeWidth: selected ? 3 : hasIssues ? 2 : 1.5,
          strokeDasharray: isStale
            ? "2 4"
            : !isTunnel
              ? reachStyle?.dash
              : summary.state === "connecting"
                ? "6 4"
                : reachStyle?.dash,
          opacity:
            selected || hasIssues || (isTunnel && summary.state !== "established")
              ? 1
              : data.isLabelled
                ? 0.8
                : 0.25,
        }}
      />
      {showLabel && (
        <EdgeLabelRenderer>
          <div
            data-testid={`link-label-${id}`}
            data-state={isTunnel ? summary.state : data.reach?.kind}
            className={`nodrag nopan pointer-events-none absolute rounded border px-1.5 py-0.5 font-mono text-[10px] leading-tight whitespace-nowrap shadow-sm ${
              isDown
                ? "border-red-400 bg-red-50 text-red-800"
                : hasIssues
                  ? "border-amber-400 bg-amber-50 text-amber-900"
                  : "border-slate-200 bg-white text-slate-600"
            }`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {(hasIssues || isDown) && <span aria-label="warning">⚠ </span>}
            {data.label}
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
  isStale,
  wasEstablished,
  reach,
}: {
  nodes: TTopologyNode[];
  links: TTopologyLink[];
  now: number;
  staleAfterSec: number;
  selectedLinkId: string | null;
  onSelectLink: (id: string | null) => void;
  /** The live stream is lost: everything drawn is the last known state. */
  isStale: boolean;
  /** Links this page has seen Established (Connect/Active on them now means broken). */
  wasEstablished: ReadonlySet<string>;
  /** How each pair reaches each other (underlay.matrix, issue #17), by reachKey. */
  reach?: ReadonlyMap<string, TPairReach>;
}) {
  const router = useRouter();
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.name])), [nodes]);
  // Enter on a focused node opens it (xyflow focuses nodes with Tab but only selects them).
  const containerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Enter") return;
      const target = event.target as HTMLElement;
      const id = target.classList.contains("react-flow__node") ? target.dataset.id : undefined;
      if (id) router.push(`/nodes/${id}`);
    };
    container.addEventListener("keydown", onKeyDown);
    return () => container.removeEventListener("keydown", onKeyDown);
  }, [router]);
  const layout = useMemo(() => layoutTopology(nodes), [nodes]);
  const flowNodes = useMemo<TMeshNode[]>(() => {
    return nodes.map((node) => {
      const { position, anchor } = layout.get(node.id) ?? ORIGIN_PLACE;
      return {
        id: node.id,
        type: "mesh",
        position,
        data: { node, now, isStale, anchor },
        ariaLabel: `${node.name}, ${node.isOnline ? "online" : "offline"}: press Enter to open`,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        // Size and handles given, not measured: a new node object (every second, for `now`)
        // otherwise drops xyflow's measurement, and with it every edge and label until the
        // ResizeObserver measures again (the labels blinked out on each tick, for seconds on a
        // loaded machine).
        measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
        handles: anchorHandles(anchor),
      };
    });
  }, [nodes, now, isStale, layout]);
  const flowEdges = useMemo<TLinkEdge[]>(() => {
    const isLabelled = links.length <= MAX_LABELLED_EDGES;
    const edges = links.map((link) => {
      const sourceName = names.get(link.sourceId) ?? "?";
      const targetName = names.get(link.targetId) ?? "?";
      const summary = describeLink({
        forward: link.forward,
        reverse: link.reverse,
        now,
        staleAfterSec,
        sourceName,
        targetName,
        wasEstablished: wasEstablished.has(linkKey(link.sourceId, link.targetId)),
      });
      const pairReach = reach?.get(reachKey(link.sourceId, link.targetId)) ?? null;
      const isTunnel = !pairReach || pairReach.kind === "direct";
      const label = isTunnel
        ? `${pairReach?.family === "ipv4" ? "IPv4 · " : ""}${formatLinkLabel(summary, formatMs)}`
        : describeReach(pairReach, names);
      const isSelected = link.id === selectedLinkId;
      const isShown =
        isLabelled ||
        isSelected ||
        (isTunnel && (summary.issues.length > 0 || summary.state === "down")) ||
        pairReach?.kind === "unreachable";
      return { link, summary, label, isSelected, isShown, sourceName, targetName, pairReach };
    });
    // Label spots: problems first (down, then warnings), so they get the free places. A link of
    // an offline node comes last: the node's box already says "last seen", and a dead node in
    // a big mesh would otherwise bury every other label under its own.
    const offline = new Set(nodes.filter((n) => !n.isOnline).map((n) => n.id));
    const rank = (e: (typeof edges)[number]) =>
      e.isSelected
        ? 0
        : offline.has(e.link.sourceId) || offline.has(e.link.targetId)
          ? 4
          : e.summary.state === "down"
            ? 1
            : e.summary.issues.length > 0
              ? 2
              : 3;
    const labelled = edges
      .filter((e) => e.isShown)
      .sort((a, b) => rank(a) - rank(b))
      .slice(0, Math.max(MAX_LABELLED_EDGES, MAX_PROBLEM_LABELS));
    const labelledIds = new Set(labelled.map((e) => e.link.id));
    const anchorOf = (id: string) => {
      const at = layout.get(id);
      return at
        ? { x: at.position.x + at.anchor.x, y: at.position.y + at.anchor.y }
        : { x: 0, y: 0 };
    };
    const spots = placeEdgeLabels(
      labelled.map((e) => ({
        id: e.link.id,
        from: anchorOf(e.link.sourceId),
        to: anchorOf(e.link.targetId),
        size: estimateLabelSize(`⚠ ${e.label}`),
      })),
      [...layout.values()].map((at) => ({
        ...at.position,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      })),
    );
    return edges.map((e) => ({
      id: e.link.id,
      type: "link",
      source: e.link.sourceId,
      target: e.link.targetId,
      selected: e.isSelected,
      ariaLabel: `Link ${e.sourceName} to ${e.targetName}: ${e.label}`,
      data: {
        isLabelled: labelledIds.has(e.link.id),
        isStale,
        summary: e.summary,
        label: e.label,
        labelAt: spots.get(e.link.id) ?? null,
        reach: e.pairReach,
      },
    }));
  }, [
    links,
    nodes,
    now,
    staleAfterSec,
    names,
    selectedLinkId,
    isStale,
    wasEstablished,
    layout,
    reach,
  ]);

  return (
    <div ref={containerRef} className="h-full w-full">
      <ReactFlow
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        colorMode="system"
        // The card's surface shows through (xyflow's dark mode paints its own grey otherwise).
        style={{ "--xy-background-color": "transparent" } as React.CSSProperties}
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
    </div>
  );
}
