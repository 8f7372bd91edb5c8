"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { TopologyView } from "~/components/topology/topology-view";
import type { TTopologyLink, TTopologyNode } from "~/components/topology/topology-types";
import { useTRPC } from "~/trpc/react";

/** Fetches the topology every 3 s and adapts it to the graph's view model. */
export function TopologyPage() {
  const trpc = useTRPC();
  const topology = useQuery(trpc.topology.get.queryOptions(undefined, { refetchInterval: 3_000 }));
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
    return { nodes, links, staleAfterSec: topology.data.staleAfterSec };
  }, [topology.data]);
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
