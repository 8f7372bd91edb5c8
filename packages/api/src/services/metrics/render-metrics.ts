// Prometheus metrics of the mesh, computed from the database on each scrape (any replica
// answers the same). A scrape stays bounded as the mesh grows: series per node, plus one
// series per tunnel (node pair) for Grafana's Node Graph, whose ids are the short node indexes.
// The nine per-direction series per tunnel (N·(N-1)·9: 51 MB at 150 nodes) only with
// `?edges=detail`. Base units (seconds, bytes); byte counters are counters with `_total`.
import { Counter, Gauge, Registry } from "prom-client";
import type { TPrismaClient } from "@meshover/prisma";
import type { TDirectedSample } from "../../lib/health-sample";
import { isNodeOnline } from "../node/list-nodes";
import { readLatestSamples } from "../topology/read-latest-samples";
import { readMeshHealth } from "./read-mesh-health";

/** The Prometheus text exposition content type. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const isBgpUp = (sample: TDirectedSample) => sample.bgpState === "Established";
const isBfdUp = (sample: TDirectedSample) => sample.bfdState?.toLowerCase() === "up";

/** Render every meshover metric in the Prometheus text format. */
export async function renderMetrics({
  db,
  now = new Date(),
  edgeDetail = false,
}: {
  db: TPrismaClient;
  now?: Date;
  /** Add the per-direction `meshover_edge_*` series (grows as N·(N-1)). */
  edgeDetail?: boolean;
}): Promise<string> {
  const [settings, nodes, health, samples] = await Promise.all([
    db.setting.findUniqueOrThrow({
      where: { id: 1 },
      select: { staleAfterSec: true, meshVersion: true },
    }),
    db.node.findMany({
      select: {
        id: true,
        name: true,
        index: true,
        ipv4: true,
        lastSeenAt: true,
        appliedConfigVersion: true,
        applyError: true,
      },
      orderBy: { index: "asc" },
    }),
    readMeshHealth({ db }),
    edgeDetail ? readLatestSamples({ db }) : null,
  ]);
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const ageSec = (at: Date) => (now.getTime() - at.getTime()) / 1000;

  gauge("meshover_mesh_version", "Current mesh (config) version.").set(
    Number(settings.meshVersion),
  );
  const nodesTotal = gauge("meshover_nodes", "Nodes in the mesh.");
  const nodesUp = gauge("meshover_nodes_up", "Nodes seen within staleAfterSec.");
  const nodeUp = gauge("meshover_node_up", "1 if the node was seen within staleAfterSec.", [
    "node",
    "node_id",
  ]);
  const node = (name: string, help: string) => gauge(name, help, ["node"]);
  const nodeSeen = node("meshover_node_last_seen_age_seconds", "Seconds since the node reported.");
  const nodeBehind = node(
    "meshover_node_config_behind",
    "Mesh versions the node's applied config is behind (-1: never applied).",
  );
  const nodeError = node("meshover_node_apply_error", "1 if the node's last apply failed.");
  const nodeTunnels = node("meshover_node_tunnels", "Tunnels the node reported on.");
  const nodeBgp = node(
    "meshover_node_tunnels_bgp_established",
    "Tunnels of the node with BGP Established.",
  );
  const nodeBfd = node("meshover_node_tunnels_bfd_up", "Tunnels of the node with BFD up.");
  const nodeRtt = node(
    "meshover_node_rtt_max_seconds",
    "Largest round-trip time over the node's tunnels.",
  );
  const nodeHandshake = node(
    "meshover_node_handshake_age_max_seconds",
    "Oldest last WireGuard handshake over the node's tunnels (-1: a tunnel has none yet).",
  );
  const nodeMtu = node(
    "meshover_node_mtu_measured_min_bytes",
    "Smallest measured path MTU over the node's tunnels.",
  );
  const nodeRx = counter(
    "meshover_node_receive_bytes_total",
    "Bytes received over the node's tunnels (sum of their WireGuard counters).",
    ["node"],
  );
  const nodeTx = counter(
    "meshover_node_transmit_bytes_total",
    "Bytes sent over the node's tunnels (sum of their WireGuard counters).",
    ["node"],
  );
  const graphNode = gauge(
    "meshover_graph_node_info",
    "Node Graph nodes, id = node index (value: 1 online, 0 offline).",
    ["id", "title", "subtitle"],
  );
  const graphEdge = gauge(
    "meshover_graph_edge_up",
    "Node Graph edges, one per tunnel (node pair): 1 when both directions report BGP Established and BFD up.",
    ["id", "source", "target"],
  );

  let up = 0;
  for (const row of nodes) {
    const isOnline = isNodeOnline(row.lastSeenAt, settings.staleAfterSec, now);
    if (isOnline) up++;
    const labels = { node: row.name };
    nodeUp.set({ node: row.name, node_id: row.id }, isOnline ? 1 : 0);
    if (row.lastSeenAt) nodeSeen.set(labels, ageSec(row.lastSeenAt));
    nodeBehind.set(
      labels,
      row.appliedConfigVersion === null
        ? -1
        : Number(settings.meshVersion - row.appliedConfigVersion),
    );
    nodeError.set(labels, row.applyError ? 1 : 0);
    graphNode.set({ id: String(row.index), title: row.name, subtitle: row.ipv4 }, isOnline ? 1 : 0);
    const sum = health.nodes.get(row.id);
    nodeTunnels.set(labels, sum?.tunnels ?? 0);
    nodeBgp.set(labels, sum?.bgpEstablished ?? 0);
    nodeBfd.set(labels, sum?.bfdUp ?? 0);
    if (sum?.rttMaxMs != null) nodeRtt.set(labels, sum.rttMaxMs / 1000);
    // -1 when the node reported tunnels but none has had a handshake yet.
    if (sum) nodeHandshake.set(labels, sum.oldestHandshakeAt ? ageSec(sum.oldestHandshakeAt) : -1);
    if (sum?.mtuMeasuredMin != null) nodeMtu.set(labels, sum.mtuMeasuredMin);
    nodeRx.inc(labels, sum?.rxBytes ?? 0);
    nodeTx.inc(labels, sum?.txBytes ?? 0);
  }
  nodesTotal.set(nodes.length);
  nodesUp.set(up);
  for (const pair of health.pairs) {
    graphEdge.set(
      {
        id: `${pair.source}-${pair.target}`,
        source: String(pair.source),
        target: String(pair.target),
      },
      pair.seen === 2 && pair.up === 2 ? 1 : 0,
    );
  }

  if (samples) {
    const byId = new Map(nodes.map((row) => [row.id, row]));
    renderEdgeDetail({ registry, samples, byId, ageSec });
  }
  return registry.metrics();
}

/** The per-direction series (`?edges=detail`), labelled with the two node names. */
function renderEdgeDetail({
  registry,
  samples,
  byId,
  ageSec,
}: {
  registry: Registry;
  samples: TDirectedSample[];
  byId: Map<string, { name: string }>;
  ageSec: (at: Date) => number;
}) {
  const labelNames = ["source", "target"];
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const bgp = gauge(
    "meshover_edge_bgp_established",
    "1 if BGP is Established on this tunnel direction.",
  );
  const bfd = gauge("meshover_edge_bfd_up", "1 if BFD is up on this tunnel direction.");
  const handshake = gauge(
    "meshover_edge_handshake_age_seconds",
    "Seconds since the last WireGuard handshake (-1: none yet).",
  );
  const mtuConfigured = gauge("meshover_edge_mtu_configured_bytes", "Configured tunnel MTU.");
  const mtuMeasured = gauge("meshover_edge_mtu_measured_bytes", "Measured tunnel path MTU.");
  const rtt = gauge("meshover_edge_rtt_seconds", "Round-trip time through the tunnel.");
  const rx = counter("meshover_edge_receive_bytes_total", "Bytes received on the tunnel.");
  const tx = counter("meshover_edge_transmit_bytes_total", "Bytes sent on the tunnel.");
  const sampleAge = gauge(
    "meshover_edge_sample_age_seconds",
    "Age of this direction's latest report.",
  );
  for (const sample of samples) {
    const source = byId.get(sample.nodeId)?.name;
    const target = byId.get(sample.peerId)?.name;
    if (source === undefined || target === undefined) continue;
    const labels = { source, target };
    bgp.set(labels, isBgpUp(sample) ? 1 : 0);
    bfd.set(labels, isBfdUp(sample) ? 1 : 0);
    handshake.set(labels, sample.handshakeAt ? ageSec(sample.handshakeAt) : -1);
    if (sample.mtuConfigured !== null) mtuConfigured.set(labels, sample.mtuConfigured);
    if (sample.mtuMeasured !== null) mtuMeasured.set(labels, sample.mtuMeasured);
    if (sample.rttMs !== null) rtt.set(labels, sample.rttMs / 1000);
    rx.inc(labels, sample.rxBytes);
    tx.inc(labels, sample.txBytes);
    sampleAge.set(labels, ageSec(sample.at));
  }
}
