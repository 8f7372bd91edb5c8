// Prometheus metrics of the mesh, computed from the database on each scrape (any replica
// answers the same). Edge metrics carry `id`/`source`/`target` labels and node info carries
// `id`/`title` so Grafana's Node Graph panel can draw the mesh from two instant queries.
import { Gauge, Registry } from "prom-client";
import type { TPrismaClient } from "@meshover/prisma";
import { isNodeOnline } from "../node/list-nodes";
import { readLatestSamples } from "../topology/read-latest-samples";

/** The Prometheus text exposition content type. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Render every meshover metric in the Prometheus text format. */
export async function renderMetrics({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<string> {
  const [settings, nodes, samples] = await Promise.all([
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
    readLatestSamples({ db }),
  ]);
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  const meshVersion = gauge("meshover_mesh_version", "Current mesh (config) version.");
  meshVersion.set(Number(settings.meshVersion));
  const nodesTotal = gauge("meshover_nodes", "Nodes in the mesh.");
  const nodesUp = gauge("meshover_nodes_up", "Nodes seen within staleAfterSec.");
  const nodeUp = gauge("meshover_node_up", "1 if the node was seen within staleAfterSec.", [
    "node",
    "node_id",
  ]);
  const nodeSeen = gauge(
    "meshover_node_last_seen_age_seconds",
    "Seconds since the node reported.",
    ["node"],
  );
  const nodeApplied = gauge(
    "meshover_node_config_behind",
    "Mesh versions the node's applied config is behind (-1: never applied).",
    ["node"],
  );
  const nodeError = gauge("meshover_node_apply_error", "1 if the node's last apply failed.", [
    "node",
  ]);
  const graphNode = gauge(
    "meshover_graph_node_info",
    "Node Graph nodes (value: 1 online, 0 offline).",
    ["id", "title", "subtitle"],
  );
  const edgeLabels = ["id", "source", "target", "source_name", "target_name"];
  const bgp = gauge(
    "meshover_edge_bgp_established",
    "1 if BGP is Established on this tunnel direction.",
    edgeLabels,
  );
  const bfd = gauge("meshover_edge_bfd_up", "1 if BFD is up on this tunnel direction.", edgeLabels);
  const handshake = gauge(
    "meshover_edge_handshake_age_seconds",
    "Seconds since the last WireGuard handshake (-1: none yet).",
    edgeLabels,
  );
  const mtuConfigured = gauge(
    "meshover_edge_mtu_configured_bytes",
    "Configured tunnel MTU.",
    edgeLabels,
  );
  const mtuMeasured = gauge(
    "meshover_edge_mtu_measured_bytes",
    "Measured tunnel path MTU.",
    edgeLabels,
  );
  const rtt = gauge(
    "meshover_edge_rtt_milliseconds",
    "Round-trip time through the tunnel.",
    edgeLabels,
  );
  const rx = gauge("meshover_edge_rx_bytes", "Bytes received on the tunnel.", edgeLabels);
  const tx = gauge("meshover_edge_tx_bytes", "Bytes sent on the tunnel.", edgeLabels);
  const sampleAge = gauge(
    "meshover_edge_sample_age_seconds",
    "Age of this direction's latest report.",
    edgeLabels,
  );

  const names = new Map(nodes.map((node) => [node.id, node.name]));
  let up = 0;
  for (const node of nodes) {
    const isOnline = isNodeOnline(node.lastSeenAt, settings.staleAfterSec, now);
    if (isOnline) up++;
    nodeUp.set({ node: node.name, node_id: node.id }, isOnline ? 1 : 0);
    if (node.lastSeenAt) {
      nodeSeen.set({ node: node.name }, (now.getTime() - node.lastSeenAt.getTime()) / 1000);
    }
    nodeApplied.set(
      { node: node.name },
      node.appliedConfigVersion === null
        ? -1
        : Number(settings.meshVersion - node.appliedConfigVersion),
    );
    nodeError.set({ node: node.name }, node.applyError ? 1 : 0);
    graphNode.set({ id: node.id, title: node.name, subtitle: node.ipv4 }, isOnline ? 1 : 0);
  }
  nodesTotal.set(nodes.length);
  nodesUp.set(up);

  for (const sample of samples) {
    const sourceName = names.get(sample.nodeId);
    const targetName = names.get(sample.peerId);
    if (!sourceName || !targetName) continue;
    const labels = {
      id: `${sample.nodeId}>${sample.peerId}`,
      source: sample.nodeId,
      target: sample.peerId,
      source_name: sourceName,
      target_name: targetName,
    };
    bgp.set(labels, sample.bgpState === "Established" ? 1 : 0);
    bfd.set(labels, sample.bfdState?.toLowerCase() === "up" ? 1 : 0);
    handshake.set(
      labels,
      sample.handshakeAt ? (now.getTime() - sample.handshakeAt.getTime()) / 1000 : -1,
    );
    if (sample.mtuConfigured !== null) mtuConfigured.set(labels, sample.mtuConfigured);
    if (sample.mtuMeasured !== null) mtuMeasured.set(labels, sample.mtuMeasured);
    if (sample.rttMs !== null) rtt.set(labels, sample.rttMs);
    rx.set(labels, Number(sample.rxBytes));
    tx.set(labels, Number(sample.txBytes));
    sampleAge.set(labels, (now.getTime() - sample.at.getTime()) / 1000);
  }
  return registry.metrics();
}
