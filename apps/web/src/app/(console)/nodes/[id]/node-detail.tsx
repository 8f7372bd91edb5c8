"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { ConfigDriftBadge, NodeStatusBadge } from "~/components/node-status";
import { useCurrentUser } from "~/components/shell/app-shell";
import { Button } from "~/components/ui/button";
import { ConfirmDialog } from "~/components/ui/dialog";
import { PageHeader } from "~/components/ui/page-header";
import { Card } from "~/components/ui/card";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { formatAgo, formatTimestamp } from "~/lib/format-values";
import { useTRPC } from "~/trpc/react";
import { BgpSessions, type TSessionRow } from "./bgp-sessions";
import { PeerCharts } from "./peer-charts";
import { PrefixEditor } from "./prefix-editor";
import { RotationPanel } from "./rotation-panel";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** The node page body. */
export function NodeDetail({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { canEdit } = useCurrentUser();
  const node = useQuery(trpc.node.get.queryOptions({ nodeId }, { refetchInterval: 5_000 }));
  const topology = useQuery(trpc.topology.get.queryOptions(undefined, { refetchInterval: 3_000 }));
  const [isRemoving, setIsRemoving] = useState(false);
  const remove = useMutation(
    trpc.node.remove.mutationOptions({ onSuccess: () => router.push("/nodes") }),
  );
  const now = Math.max(node.dataUpdatedAt, topology.dataUpdatedAt);
  const sessions = useMemo<TSessionRow[]>(() => {
    if (!topology.data) return [];
    const names = new Map(topology.data.nodes.map((n) => [n.id, n.name]));
    return topology.data.edges
      .filter((e) => e.source === nodeId || e.target === nodeId)
      .map((e) => {
        const isSource = e.source === nodeId;
        const peerId = isSource ? e.target : e.source;
        return {
          peerId,
          peerName: names.get(peerId) ?? peerId,
          mine: isSource ? e.sourceToTarget : e.targetToSource,
          theirs: isSource ? e.targetToSource : e.sourceToTarget,
        };
      })
      .sort((a, b) => a.peerName.localeCompare(b.peerName));
  }, [topology.data, nodeId]);

  if (node.error) {
    return (
      <div className="px-8 py-6">
        <PageHeader title="Node" />
        <ErrorState error={node.error} onRetry={() => void node.refetch()} />
        <Link href="/nodes" className="mt-4 inline-block text-sm text-blue-700 hover:underline">
          ← All nodes
        </Link>
      </div>
    );
  }
  if (!node.data) {
    return (
      <div className="px-8 py-6">
        <LoadingState rows={8} label="Loading node" />
      </div>
    );
  }
  const n = node.data;
  const host = n.hostInfo;
  return (
    <div className="px-8 py-6">
      <Link href="/nodes" className="text-xs text-slate-500 hover:text-slate-800">
        ← Nodes
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {n.name}
            <NodeStatusBadge isOnline={n.isOnline} lastSeenAt={n.lastSeenAt} />
          </span>
        }
        description={`Node #${n.index} · last seen ${formatAgo(n.lastSeenAt, now)}`}
        actions={
          canEdit && (
            <Button variant="danger" onClick={() => setIsRemoving(true)}>
              Remove node
            </Button>
          )
        }
      />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        <Card title="Overview" className="xl:col-span-2">
          <dl className="grid grid-cols-2 gap-x-6 gap-y-3 md:grid-cols-4">
            <Fact label="Overlay IPv4">
              <span className="font-mono text-xs">{n.ipv4}</span>
            </Fact>
            <Fact label="Overlay IPv6">
              <span className="font-mono text-xs">{n.ipv6}</span>
            </Fact>
            <Fact label="ASN">
              <span className="font-mono text-xs">{n.asn}</span>
            </Fact>
            <Fact label="Config">
              <ConfigDriftBadge
                applied={n.appliedConfigVersion}
                desired={n.desiredConfigVersion}
                applyError={n.applyError}
              />
            </Fact>
            <Fact label="Endpoints">
              <span className="font-mono text-xs">{n.endpoints.join(", ") || "—"}</span>
            </Fact>
            <Fact label="Agent">{n.agentVersion ?? "—"}</Fact>
            <Fact label="WireGuard">{host?.wireguard ?? "—"}</Fact>
            <Fact label="FRR">
              {host?.frrMode ?? "—"}
              {host?.frrVersion ? ` ${host.frrVersion}` : ""}
            </Fact>
            <Fact label="Kernel">{host?.kernel ?? "—"}</Fact>
            <Fact label="Addresses on">{host?.addressDevice ?? "—"}</Fact>
            <Fact label="Joined">{formatTimestamp(n.createdAt)}</Fact>
            <Fact label="Public key">
              <span data-testid="node-public-key" className="font-mono text-[11px] break-all">
                {n.publicKey ?? "—"}
              </span>
            </Fact>
          </dl>
          {n.applyError && (
            <p className="mt-3 rounded-md bg-red-50 px-3 py-2 text-xs text-red-700">
              Last apply failed: {n.applyError}
            </p>
          )}
        </Card>
        <RotationPanel nodeId={nodeId} canEdit={canEdit} />
        <div className="xl:col-span-3">
          <PeerCharts nodeId={nodeId} />
        </div>
        <div className="xl:col-span-3">
          <BgpSessions
            rows={sessions}
            now={now}
            staleAfterSec={topology.data?.staleAfterSec ?? 0}
          />
        </div>
        <div className="xl:col-span-2">
          <PrefixEditor nodeId={nodeId} prefixes={n.prefixes} canEdit={canEdit} />
        </div>
      </div>
      <ConfirmDialog
        isOpen={isRemoving}
        onClose={() => {
          remove.reset();
          setIsRemoving(false);
        }}
        onConfirm={() => remove.mutate({ nodeId })}
        title={`Remove ${n.name}?`}
        confirmLabel="Remove node"
        isBusy={remove.isPending}
        error={remove.error?.message}
      >
        Every peer tears down its tunnel to {n.name} and its routes disappear from the mesh.
      </ConfirmDialog>
    </div>
  );
}
