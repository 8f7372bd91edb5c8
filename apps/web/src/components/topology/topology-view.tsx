"use client";
// The topology page body: summary counts, the graph, and the link side panel. Data arrives over
// the live stream (topology.watch); when it is lost the last state stays, marked stale, while
// it resubscribes. Node freshness is judged here by the controller's clock, so a node whose
// reports stop turns offline without any event arriving. Positions never depend on the data.
import Link from "next/link";
import { useMemo, useState } from "react";
import { Badge } from "~/components/ui/badge";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { describeLink } from "~/lib/describe-link";
import { reachKey, type TPairReach } from "~/lib/describe-reach";
import { linkKey } from "~/lib/classify-link-state";
import { isSeenRecently } from "~/lib/judge-freshness";
import { useNow } from "~/lib/use-now";
import type { TLiveStatus } from "~/lib/use-live-subscription";
import { LinkPanel } from "./link-panel";
import { TopologyGraph } from "./topology-graph";
import { TopologyLegend } from "./topology-legend";
import type { TTopologyLink, TTopologyNode } from "./topology-types";

/** Topology page body for already-fetched (or loading/failed) data. */
export function TopologyView({
  data: raw,
  error,
  isLoading,
  onRetry,
  live,
}: {
  data:
    | {
        nodes: TTopologyNode[];
        links: TTopologyLink[];
        staleAfterSec: number;
        healthIntervalSec: number;
        wasEstablished: ReadonlySet<string>;
        /** How each pair reaches each other (underlay.matrix); pairs without a tunnel are no links. */
        reach?: ReadonlyMap<string, TPairReach>;
      }
    | undefined;
  error: unknown;
  isLoading: boolean;
  onRetry: () => void;
  live: TLiveStatus;
}) {
  const now = useNow(1_000) + live.clockOffsetMs;
  const [selectedLinkId, setSelectedLinkId] = useState<string | null>(null);
  const data = useMemo(() => {
    if (!raw) return raw;
    // Online means reported within three intervals, judged now, not when the data was sent.
    const nodes = raw.nodes.map((node) => {
      const isOnline = isSeenRecently(node.lastSeenAt, now, raw.healthIntervalSec);
      return isOnline === node.isOnline ? node : { ...node, isOnline };
    });
    return { ...raw, nodes };
  }, [raw, now]);
  const stats = useMemo(() => {
    if (!data) return null;
    let established = 0;
    let down = 0;
    let issues = 0;
    let tunnels = 0;
    for (const link of data.links) {
      // A pair the controller builds no tunnel for (issue #17) is not a link that can be down.
      const reach = data.reach?.get(reachKey(link.sourceId, link.targetId));
      if (reach && reach.kind !== "direct") continue;
      tunnels += 1;
      const summary = describeLink({
        ...link,
        now,
        staleAfterSec: data.staleAfterSec,
        wasEstablished: data.wasEstablished.has(linkKey(link.sourceId, link.targetId)),
      });
      if (summary.state === "established") established += 1;
      if (summary.state === "down") down += 1;
      if (summary.issues.length > 0) issues += 1;
    }
    return {
      online: data.nodes.filter((n) => n.isOnline).length,
      tunnels,
      established,
      down,
      issues,
    };
  }, [data, now]);
  const selected = data?.links.find((l) => l.id === selectedLinkId) ?? null;
  const byId = useMemo(() => new Map(data?.nodes.map((n) => [n.id, n]) ?? []), [data]);

  return (
    <div className="flex h-full flex-col">
      <div className="px-4 md:px-8 pt-6">
        <PageHeader
          title="Topology"
          description={<LiveNote live={live} />}
          actions={
            stats && (
              <div className="flex items-center gap-2" data-testid="topology-stats">
                <Badge tone="slate">
                  {stats.online}/{data?.nodes.length} nodes online
                </Badge>
                <Badge tone={stats.established === stats.tunnels ? "green" : "amber"}>
                  {stats.established}/{stats.tunnels} links established
                </Badge>
                {stats.down > 0 && <Badge tone="red">{stats.down} down</Badge>}
                {stats.issues > 0 && <Badge tone="amber">{stats.issues} with warnings</Badge>}
              </div>
            )
          }
        />
      </div>
      <div className="min-h-0 flex-1 px-4 md:px-8 pb-6">
        {error ? (
          <ErrorState error={error} onRetry={onRetry} />
        ) : isLoading || !data ? (
          <LoadingState rows={8} label="Loading topology" />
        ) : data.nodes.length === 0 ? (
          <FirstNodeState />
        ) : (
          <div className="flex h-full flex-col gap-2">
            <TopologyLegend />
            <div className="flex min-h-[28rem] flex-1 overflow-hidden rounded-lg border border-slate-200 bg-white">
              <div className="relative min-w-0 flex-1" data-testid="topology-graph">
                <TopologyGraph
                  nodes={data.nodes}
                  links={data.links}
                  now={now}
                  staleAfterSec={data.staleAfterSec}
                  selectedLinkId={selectedLinkId}
                  onSelectLink={setSelectedLinkId}
                  isStale={live.staleSince !== null}
                  wasEstablished={data.wasEstablished}
                  reach={data.reach}
                />
              </div>
              {selected && (
                <LinkPanel
                  link={selected}
                  source={byId.get(selected.sourceId)}
                  target={byId.get(selected.targetId)}
                  now={now}
                  staleAfterSec={data.staleAfterSec}
                  onClose={() => setSelectedLinkId(null)}
                />
              )}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** "Live" or "stale since 12:03:41, reconnecting" under the title. */
function LiveNote({ live }: { live: TLiveStatus }) {
  if (live.staleSince !== null)
    return (
      <span role="status" data-testid="live-status" data-live="false" className="text-amber-700">
        Connection lost: showing the state as of {new Date(live.staleSince).toLocaleTimeString()}{" "}
        (stale since then), reconnecting…
      </span>
    );
  return (
    <span data-testid="live-status" data-live={live.isLive ? "true" : "false"}>
      Every server and every tunnel between them,{" "}
      {live.isLive ? (
        <span className="inline-flex items-center gap-1">
          <span className="size-1.5 rounded-full bg-emerald-500" aria-hidden /> live
        </span>
      ) : (
        "connecting…"
      )}
    </span>
  );
}

/** The empty mesh: how to add a first server, or try it all in the lab; waits for the join. */
function FirstNodeState() {
  return (
    <EmptyState
      title="No servers in the mesh yet"
      description={
        <>
          Add a server with a join command or over SSH, or try meshover first in the network lab on
          this machine (root, Linux):{" "}
          <code className="font-mono text-xs">sudo npm run lab -- up --nodes 4</code> starts a
          controller and four real agents in network namespaces.
          <span
            className="mt-3 flex items-center justify-center gap-2 text-slate-600"
            role="status"
          >
            <span className="size-2 animate-pulse rounded-full bg-blue-500" aria-hidden />
            Waiting for the first node to join; it appears here by itself.
          </span>
        </>
      }
      action={
        <Link
          href="/add"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-slate-50 hover:bg-slate-700"
        >
          Add server
        </Link>
      }
    />
  );
}
