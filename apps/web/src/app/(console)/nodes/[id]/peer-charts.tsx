"use client";
// Last hour of this node's tunnels: RTT, throughput and handshake age, every peer at once (one
// line each, with a legend), outages drawn as gaps, and the timeline's events as markers.
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { TEventItem } from "~/components/events/event-list";
import { describeEventKind } from "~/components/events/event-kinds";
import { Card } from "~/components/ui/card";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { formatBytes } from "~/lib/format-values";
import { mergePeerSeries, type TSeriesRow } from "~/lib/merge-peer-series";
import { useTRPC } from "~/trpc/react";

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
/** The history's bucket (history.peers groups samples by 30 s). */
const BUCKET_MS = 30_000;
/** Distinct line colours; peers beyond them repeat. */
const PEER_COLOURS = [
  "#2563eb",
  "#059669",
  "#d97706",
  "#7c3aed",
  "#db2777",
  "#0891b2",
  "#65a30d",
  "#dc2626",
  "#4f46e5",
  "#ca8a04",
];
/** More markers than this and the chart is all lines: show the newest. */
const MAX_MARKERS = 40;

function SmallChart({
  title,
  rows,
  peers,
  markers,
  format,
}: {
  title: string;
  rows: TSeriesRow[];
  peers: { peerId: string; peerName: string; colour: string }[];
  markers: { t: number; colour: string }[];
  format: (value: number) => string;
}) {
  return (
    <div className="min-w-0">
      <h3 className="mb-1 text-xs font-medium text-slate-500">{title}</h3>
      <div className="h-56">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--color-slate-100)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              domain={["dataMin", "dataMax"]}
              tickFormatter={(t: number) => TIME.format(t)}
              tick={{ fontSize: 10, fill: "var(--color-slate-500)" }}
              stroke="var(--color-slate-300)"
            />
            <YAxis
              tickFormatter={format}
              tick={{ fontSize: 10, fill: "var(--color-slate-500)" }}
              width={68}
              stroke="var(--color-slate-300)"
            />
            <Tooltip
              labelFormatter={(t) => TIME.format(Number(t))}
              formatter={(value) => (value == null ? "—" : format(Number(value)))}
              contentStyle={{
                fontSize: 12,
                background: "var(--surface)",
                borderColor: "var(--color-slate-200)",
              }}
            />
            <Legend iconType="plainline" wrapperStyle={{ fontSize: 11 }} />
            {markers.map((marker, i) => (
              <ReferenceLine
                key={`${marker.t}-${i}`}
                x={marker.t}
                stroke={marker.colour}
                strokeDasharray="3 3"
                ifOverflow="hidden"
              />
            ))}
            {peers.map((peer) => (
              <Line
                key={peer.peerId}
                dataKey={peer.peerId}
                name={peer.peerName}
                stroke={peer.colour}
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

/** History charts for one node's tunnels, with its events as markers. */
export function PeerCharts({ nodeId, events }: { nodeId: string; events: TEventItem[] }) {
  const trpc = useTRPC();
  const history = useQuery(
    trpc.history.readPeerHistory.queryOptions({ nodeId, minutes: 60 }, { refetchInterval: 15_000 }),
  );
  const peers = useMemo(() => history.data ?? [], [history.data]);
  const lines = useMemo(
    () =>
      peers.map((peer, i) => ({
        peerId: peer.peerId,
        peerName: peer.peerName,
        colour: PEER_COLOURS[i % PEER_COLOURS.length]!,
      })),
    [peers],
  );
  const series = useMemo(
    () => ({
      rtt: mergePeerSeries(peers, (p) => p.rttMs, BUCKET_MS),
      throughput: mergePeerSeries(
        peers,
        (p) => (p.rxBps == null && p.txBps == null ? null : (p.rxBps ?? 0) + (p.txBps ?? 0)),
        BUCKET_MS,
      ),
      handshake: mergePeerSeries(peers, (p) => p.handshakeAgeSec, BUCKET_MS),
    }),
    [peers],
  );
  const markers = useMemo(() => {
    const first = series.rtt[0]?.t ?? 0;
    return events
      .map((event) => {
        const kind = describeEventKind(event.kind);
        return { t: new Date(event.at).getTime(), colour: kind.colour };
      })
      .filter((marker) => marker.t >= first)
      .slice(0, MAX_MARKERS);
  }, [events, series.rtt]);
  return (
    <Card title="Last hour">
      {history.error ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : !history.data ? (
        <LoadingState rows={3} label="Loading history" />
      ) : peers.length === 0 ? (
        <EmptyState
          title="No health reports in the last hour"
          description="Charts fill in as the agent reports (every few seconds)."
        />
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-3" data-testid="peer-charts">
          <SmallChart
            title="RTT per peer"
            rows={series.rtt}
            peers={lines}
            markers={markers}
            format={(v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`}
          />
          <SmallChart
            title="Throughput per peer (sent + received)"
            rows={series.throughput}
            peers={lines}
            markers={markers}
            format={(v) => `${formatBytes(Math.round(v))}/s`}
          />
          <SmallChart
            title="Handshake age per peer"
            rows={series.handshake}
            peers={lines}
            markers={markers}
            format={(v) => `${Math.round(v)} s`}
          />
        </div>
      )}
    </Card>
  );
}
