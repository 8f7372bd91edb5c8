"use client";
// The topology page body: summary counts, the graph, and the link side panel. Data arrives by
// polling (every 3 s, well inside the 5 s freshness target); positions never depend on it.
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { Badge } from "~/components/ui/badge";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { describeLink } from "~/lib/describe-link";
import { LinkPanel } from "./link-panel";
import { TopologyGraph } from "./topology-graph";
import { TopologyLegend } from "./topology-legend";
import type { TTopologyLink, TTopologyNode } from "./topology-types";

/** Re-render relative ages every few seconds without refetching. */
function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Topology page body for already-fetched (or loading/failed) data. */
export function TopologyView({
  data,
  error,
  isLoading,
  onRetry,
  updatedAt,
}: {
  data: { nodes: TTopologyNode[]; links: TTopologyLink[]; staleAfterSec: number } | undefined;
  error: unknown;
  isLoading: boolean;
  onRetry: () => void;
  updatedAt: number;
}) {
  const tick = useNow(5_000);
  const now = Math.max(tick, updatedAt);
  const [selectedLinkId, setSelectedLinkId] = useState<string | null>(null);
  const stats = useMemo(() => {
    if (!data) return null;
    let established = 0;
    let issues = 0;
    for (const link of data.links) {
      const summary = describeLink({ ...link, now, staleAfterSec: data.staleAfterSec });
      if (summary.state === "established") established += 1;
      if (summary.issues.length > 0) issues += 1;
    }
    return {
      online: data.nodes.filter((n) => n.isOnline).length,
      established,
      issues,
    };
  }, [data, now]);
  const selected = data?.links.find((l) => l.id === selectedLinkId) ?? null;
  const byId = useMemo(() => new Map(data?.nodes.map((n) => [n.id, n]) ?? []), [data]);

  return (
    <div className="flex h-full flex-col">
      <div className="px-8 pt-6">
        <PageHeader
          title="Topology"
          description="Every server and every tunnel between them, live."
          actions={
            stats && (
              <div className="flex items-center gap-2" data-testid="topology-stats">
                <Badge tone="slate">
                  {stats.online}/{data?.nodes.length} nodes online
                </Badge>
                <Badge tone={stats.established === data?.links.length ? "green" : "amber"}>
                  {stats.established}/{data?.links.length} links established
                </Badge>
                {stats.issues > 0 && <Badge tone="amber">{stats.issues} with warnings</Badge>}
              </div>
            )
          }
        />
      </div>
      <div className="min-h-0 flex-1 px-8 pb-6">
        {error ? (
          <ErrorState error={error} onRetry={onRetry} />
        ) : isLoading || !data ? (
          <LoadingState rows={8} label="Loading topology" />
        ) : data.nodes.length === 0 ? (
          <EmptyState
            title="No servers in the mesh yet"
            description="Add a server with a join command or over SSH; it appears here as soon as its agent reports."
            action={
              <Link
                href="/add"
                className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
              >
                Add server
              </Link>
            }
          />
        ) : (
          <div className="flex h-full min-h-[28rem] overflow-hidden rounded-lg border border-slate-200 bg-white">
            <div className="relative min-w-0 flex-1" data-testid="topology-graph">
              <TopologyGraph
                nodes={data.nodes}
                links={data.links}
                now={now}
                staleAfterSec={data.staleAfterSec}
                selectedLinkId={selectedLinkId}
                onSelectLink={setSelectedLinkId}
              />
              <div className="pointer-events-none absolute top-3 left-3">
                <TopologyLegend />
              </div>
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
        )}
      </div>
    </div>
  );
}
