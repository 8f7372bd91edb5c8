"use client";
// Last hour per peer: RTT, throughput and handshake age, as three small charts for the peer
// picked in the selector.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Card } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { formatBytes } from "~/lib/format-values";
import { useTRPC } from "~/trpc/react";

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function SmallChart({
  title,
  data,
  lines,
  format,
}: {
  title: string;
  data: Record<string, number | null>[];
  lines: { key: string; colour: string; name: string }[];
  format: (value: number) => string;
}) {
  return (
    <div className="min-w-0">
      <h3 className="mb-1 text-xs font-medium text-slate-500">{title}</h3>
      <div className="h-40">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
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
              formatter={(value) => format(Number(value))}
              contentStyle={{
                fontSize: 12,
                background: "var(--surface)",
                borderColor: "var(--color-slate-200)",
              }}
            />
            {lines.map((line) => (
              <Line
                key={line.key}
                dataKey={line.key}
                name={line.name}
                stroke={line.colour}
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

/** History charts for one node's tunnels. */
export function PeerCharts({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const history = useQuery(
    trpc.history.peers.queryOptions({ nodeId, minutes: 60 }, { refetchInterval: 15_000 }),
  );
  const [peerId, setPeerId] = useState<string | null>(null);
  const peers = history.data ?? [];
  const peer = peers.find((p) => p.peerId === peerId) ?? peers[0];
  const data =
    peer?.points.map((p) => ({
      t: new Date(p.at).getTime(),
      rtt: p.rttMs,
      rx: p.rxBps,
      tx: p.txBps,
      handshake: p.handshakeAgeSec,
    })) ?? [];
  return (
    <Card
      title="Last hour"
      actions={
        peers.length > 0 && (
          <label className="flex items-center gap-2 text-xs text-slate-500">
            Peer
            <select
              aria-label="Peer"
              value={peer?.peerId ?? ""}
              onChange={(e) => setPeerId(e.target.value)}
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs text-slate-800"
            >
              {peers.map((p) => (
                <option key={p.peerId} value={p.peerId}>
                  {p.peerName}
                </option>
              ))}
            </select>
          </label>
        )
      }
    >
      {history.error ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : !history.data ? (
        <LoadingState rows={3} label="Loading history" />
      ) : !peer ? (
        <EmptyState
          title="No health reports in the last hour"
          description="Charts fill in as the agent reports (every few seconds)."
        />
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-3" data-testid="peer-charts">
          <SmallChart
            title={`RTT to ${peer.peerName}`}
            data={data}
            lines={[{ key: "rtt", colour: "#2563eb", name: "RTT" }]}
            format={(v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`}
          />
          <SmallChart
            title="Throughput"
            data={data}
            lines={[
              { key: "rx", colour: "#059669", name: "received" },
              { key: "tx", colour: "#d97706", name: "sent" },
            ]}
            format={(v) => `${formatBytes(Math.round(v))}/s`}
          />
          <SmallChart
            title="Handshake age"
            data={data}
            lines={[{ key: "handshake", colour: "#7c3aed", name: "age" }]}
            format={(v) => `${Math.round(v)} s`}
          />
        </div>
      )}
    </Card>
  );
}
