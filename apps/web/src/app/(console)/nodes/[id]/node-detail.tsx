"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { TNodeLive } from "@meshover/api";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { EventList } from "~/components/events/event-list";
import { ConfigDriftBadge, NodeStatusBadge } from "~/components/node-status";
import { useCurrentUser } from "~/components/shell/app-shell";
import { Button } from "~/components/ui/button";
import { ConfirmDialog } from "~/components/ui/dialog";
import { PageHeader } from "~/components/ui/page-header";
import { Card } from "~/components/ui/card";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { formatAgo, formatMachine, formatTimestamp } from "~/lib/format-values";
import { isSeenRecently, offlineAfterSec } from "~/lib/judge-freshness";
import { useNow } from "~/lib/use-now";
import { useLiveStatus, useResubscribe } from "~/lib/use-live-subscription";
import { useTRPC } from "~/trpc/react";
import { BgpSessions } from "./bgp-sessions";
import { DriftPanel } from "./drift-panel";
import { PeerCharts } from "./peer-charts";
import { PrefixEditor } from "./prefix-editor";
import { RotationPanel } from "./rotation-panel";
import { UnderlayPanel } from "./underlay-panel";
import { RoutesPanel } from "./routes-panel";

const DEFAULT_STALE_AFTER_SEC = 60;
const DEFAULT_HEALTH_INTERVAL_SEC = 5;

/**
 * Desired vs observed: every other node should have a tunnel with a BGP session; the node's own
 * latest report says which it has. Lists the peers whose tunnel is missing from its reports or
 * whose session is not Established.
 */
function ObservedTunnels({
  sessions,
  now,
  freshSec,
}: {
  sessions: TNodeLive["sessions"];
  now: number;
  freshSec: number;
}) {
  const reported = sessions.filter(
    (s) => s.mine !== null && now - s.mine.at.getTime() <= freshSec * 1000,
  );
  const missing = sessions.filter((s) => !reported.includes(s)).map((s) => s.peerName);
  const notUp = reported
    .filter((s) => s.mine?.bgpState?.toLowerCase() !== "established")
    .map((s) => s.peerName);
  return (
    <span className="text-xs" data-testid="observed-tunnels">
      {reported.length} of {sessions.length} tunnels reported
      {missing.length > 0 && (
        <span className="block text-amber-700">missing: {missing.join(", ")}</span>
      )}
      {notUp.length > 0 && (
        <span className="block text-amber-700">BGP not up: {notUp.join(", ")}</span>
      )}
    </span>
  );
}

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
  const queryClient = useQueryClient();
  // This node and its tunnels, pushed on every report (its own or a peer's) and mesh change:
  // O(n) per event instead of polling the whole O(n²) topology.
  const [state, setState] = useState<TNodeLive | undefined>(undefined);
  const { live, handlers, onEvent } = useLiveStatus();
  const subscription = useSubscription(
    trpc.node.watch.subscriptionOptions(
      { nodeId },
      {
        ...handlers,
        onData: (data) => {
          onEvent(data.serverTime);
          setState(data);
          // A report may carry rotation progress: the rotation card reads it at once.
          void queryClient.invalidateQueries(trpc.key.listRotations.queryFilter({ nodeId }));
          void queryClient.invalidateQueries(trpc.drift.get.queryFilter({ nodeId }));
        },
      },
    ),
  );
  useResubscribe(subscription);
  const settings = useQuery(trpc.settings.get.queryOptions(undefined, { staleTime: 60_000 }));
  const events = useQuery(
    trpc.events.list.queryOptions({ nodeId, minutes: 60 }, { refetchInterval: 5_000 }),
  );
  const [isRemoving, setIsRemoving] = useState(false);
  const remove = useMutation(
    trpc.node.remove.mutationOptions({ onSuccess: () => router.push("/nodes") }),
  );
  const now = useNow(1_000) + live.clockOffsetMs;
  const sessions = state?.sessions ?? [];
  const node = { error: state ? null : subscription.error, data: state?.node };

  if (node.error) {
    return (
      <div className="px-4 md:px-8 py-6">
        <PageHeader title="Node" />
        <ErrorState error={node.error} onRetry={subscription.reset} />
        <Link href="/nodes" className="mt-4 inline-block text-sm text-blue-700 hover:underline">
          ← All nodes
        </Link>
      </div>
    );
  }
  if (!node.data) {
    return (
      <div className="px-4 md:px-8 py-6">
        <LoadingState rows={8} label="Loading node" />
      </div>
    );
  }
  const n = node.data;
  const host = n.hostInfo;
  const healthIntervalSec = settings.data?.healthIntervalSec ?? DEFAULT_HEALTH_INTERVAL_SEC;
  const isOnline = isSeenRecently(n.lastSeenAt, now, healthIntervalSec);
  return (
    <div className="px-4 md:px-8 py-6">
      <Link href="/nodes" className="text-xs text-slate-500 hover:text-slate-800">
        ← Nodes
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {n.name}
            <NodeStatusBadge isOnline={isOnline} lastSeenAt={n.lastSeenAt} />
          </span>
        }
        description={
          <>
            Node #{n.index} · last seen {formatAgo(n.lastSeenAt, now)}
            {live.staleSince !== null && (
              <span
                role="status"
                data-testid="live-status"
                data-live="false"
                className="text-amber-700"
              >
                {" "}
                · connection lost: state as of {new Date(live.staleSince).toLocaleTimeString()}{" "}
                (stale), reconnecting…
              </span>
            )}
          </>
        }
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
                isOnline={isOnline}
              />
            </Fact>
            <Fact label="Observed">
              <ObservedTunnels
                sessions={sessions}
                now={now}
                freshSec={offlineAfterSec(healthIntervalSec)}
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
            <Fact label="Machine">
              <span data-testid="node-machine">{formatMachine(host?.virtualization)}</span>
            </Fact>
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
          <PeerCharts nodeId={nodeId} events={events.data ?? []} />
        </div>
        <div className="xl:col-span-3">
          <BgpSessions
            rows={sessions}
            now={now}
            staleAfterSec={Math.min(
              settings.data?.staleAfterSec ?? DEFAULT_STALE_AFTER_SEC,
              offlineAfterSec(healthIntervalSec),
            )}
          />
        </div>
        <div className="xl:col-span-3">
          <Card title="Events (last hour)">
            {events.data ? (
              <EventList events={events.data} showNode={false} />
            ) : (
              <LoadingState rows={3} label="Loading events" />
            )}
          </Card>
        </div>
        <div className="xl:col-span-2">
          <PrefixEditor nodeId={nodeId} prefixes={n.prefixes} canEdit={canEdit} />
        </div>
        <DriftPanel nodeId={nodeId} canEdit={canEdit} />
        <div className="xl:col-span-3">
          <UnderlayPanel nodeId={nodeId} canEdit={canEdit} />
        </div>
      </div>
      <div className="mt-4">
        <RoutesPanel nodeId={nodeId} nodeAsn={n.asn} canEdit={canEdit} now={now} />
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
