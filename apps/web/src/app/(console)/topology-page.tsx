"use client";

import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useMemo, useState } from "react";
import type { TTopology } from "@meshover/api";
import { TopologyView } from "~/components/topology/topology-view";
import type { TTopologyLink, TTopologyNode } from "~/components/topology/topology-types";
import { applyTopologyUpdate } from "~/lib/apply-topology-update";
import { indexReach } from "~/lib/describe-reach";
import { rememberEstablished } from "~/lib/classify-link-state";
import { offlineAfterSec } from "~/lib/judge-freshness";
import { useLiveStatus, useResubscribe } from "~/lib/use-live-subscription";
import { useTRPC } from "~/trpc/react";

/** Reports older than this count as stale when judging a link (the settings' default, until the topology says). */
const DEFAULT_STALE_AFTER_SEC = 60;
/** The settings' default report interval. */
const DEFAULT_HEALTH_INTERVAL_SEC = 5;

/** Subscribes to the live topology (SSE) and adapts it to the graph's view model. */
export function TopologyPage() {
  const trpc = useTRPC();
  const [topology, setTopology] = useState<TTopology | undefined>(undefined);
  const [wasEstablished, setWasEstablished] = useState<ReadonlySet<string>>(() => new Set());
  const settings = useQuery(trpc.settings.get.queryOptions(undefined, { staleTime: 60_000 }));
  const { live, handlers, onEvent } = useLiveStatus();
  const subscription = useSubscription(
    trpc.topology.watch.subscriptionOptions(undefined, {
      ...handlers,
      onData: (update) => {
        onEvent(update.serverTime);
        setTopology((current) => applyTopologyUpdate(current, update));
        const directions =
          update.kind === "full"
            ? update.topology.edges.flatMap((edge) => [
                {
                  nodeId: edge.source,
                  peerId: edge.target,
                  bgpState: edge.sourceToTarget?.bgpState ?? null,
                },
                {
                  nodeId: edge.target,
                  peerId: edge.source,
                  bgpState: edge.targetToSource?.bgpState ?? null,
                },
              ])
            : update.directions.map((d) => ({ ...d, bgpState: d.direction.bgpState }));
        setWasEstablished((seen) => rememberEstablished(seen, directions));
      },
    }),
  );
  useResubscribe(subscription);
  // How each pair reaches each other (issue #17): refreshed with every mesh version.
  const matrix = useQuery(trpc.underlay.matrix.queryOptions({}, { staleTime: 30_000 }));
  const meshVersion = topology?.meshVersion;
  const { refetch: refetchMatrix } = matrix;
  useEffect(() => {
    if (meshVersion !== undefined) void refetchMatrix();
  }, [meshVersion, refetchMatrix]);
  const reach = useMemo(
    () => (matrix.data ? indexReach(matrix.data.pairs) : undefined),
    [matrix.data],
  );
  const healthIntervalSec = settings.data?.healthIntervalSec ?? DEFAULT_HEALTH_INTERVAL_SEC;
  // A tunnel report is as fresh as its node: three missed intervals and it no longer counts.
  const staleAfterSec = Math.min(
    topology?.staleAfterSec ?? DEFAULT_STALE_AFTER_SEC,
    offlineAfterSec(healthIntervalSec),
  );
  const data = useMemo(() => {
    if (!topology) return undefined;
    const nodes: TTopologyNode[] = topology.nodes;
    const links: TTopologyLink[] = topology.edges.map((edge) => ({
      id: edge.id,
      sourceId: edge.source,
      targetId: edge.target,
      forward: edge.sourceToTarget,
      reverse: edge.targetToSource,
    }));
    return { nodes, links, staleAfterSec, healthIntervalSec, wasEstablished, reach };
  }, [topology, staleAfterSec, healthIntervalSec, wasEstablished, reach]);
  return (
    <TopologyView
      data={data}
      // Before the first event only: afterwards the last state stays, marked stale.
      error={topology ? null : subscription.error}
      isLoading={!topology}
      onRetry={subscription.reset}
      live={live}
    />
  );
}
