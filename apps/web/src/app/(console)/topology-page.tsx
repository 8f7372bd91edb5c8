"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { TopologyView } from "~/components/topology/topology-view";
import type { TTopologyLink, TTopologyNode } from "~/components/topology/topology-types";
import { useTRPC } from "~/trpc/react";

/** Reports older than this count as stale when judging a link (the settings' default). */
const DEFAULT_STALE_AFTER_SEC = 60;

/** Fetches the topology every 3 s and adapts it to the graph's view model. */
export function TopologyPage() {
  const trpc = useTRPC();
  const topology = useQuery(trpc.topology.get.queryOptions(undefined, { refetchInterval: 3_000 }));
  const settings = useQuery(trpc.settings.get.queryOptions(undefined, { staleTime: 60_000 }));
  const staleAfterSec = settings.data?.staleAfterSec ?? DEFAULT_STALE_AFTER_SEC;
  const data = useMemo(() => {
    if (!topology.data) return undefined;
    const nodes: TTopologyNode[] = topology.data.nodes;
    const links: TTopologyLink[] = topology.data.edges.map((edge) => ({
      id: edge.id,
      sourceId: edge.source,
      targetId: edge.target,
      forward: edge.sourceToTarget,
      reverse: edge.targetToSource,
    }));
    return { nodes, links, staleAfterSec };
  }, [topology.data, staleAfterSec]);
  return (
    <TopologyView
      data={data}
      error={topology.error}
      isLoading={topology.isLoading}
      onRetry={() => void topology.refetch()}
      updatedAt={topology.dataUpdatedAt}
    />
  );
}
