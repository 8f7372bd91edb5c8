"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ConfigDriftBadge, NodeStatusBadge } from "~/components/node-status";
import { useCurrentUser } from "~/components/shell/app-shell";
import { Button } from "~/components/ui/button";
import { ConfirmDialog } from "~/components/ui/dialog";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { formatAgo, formatTimestamp } from "~/lib/format-values";
import { isSeenRecently } from "~/lib/judge-freshness";
import { useNow } from "~/lib/use-now";
import { useTRPC } from "~/trpc/react";

/** The nodes table, refreshed every few seconds. */
export function NodesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useCurrentUser();
  const nodes = useQuery(trpc.node.list.queryOptions(undefined, { refetchInterval: 3_000 }));
  const settings = useQuery(trpc.settings.get.queryOptions(undefined, { staleTime: 60_000 }));
  // Online = reported within three intervals (as on the topology), judged every second.
  const now = useNow(1_000);
  const isOnline = (lastSeenAt: Date | null) =>
    isSeenRecently(lastSeenAt, now, settings.data?.healthIntervalSec ?? 5);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const remove = useMutation(
    trpc.node.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.node.list.queryFilter());
        setRemoving(null);
      },
    }),
  );
  return (
    <div className="px-4 md:px-8 py-6">
      <PageHeader
        title="Nodes"
        description="Servers in the mesh, their addresses and whether they run the config they should."
        actions={
          canEdit && (
            <Link
              href="/add"
              className="inline-flex h-8 items-center rounded-md bg-slate-900 px-3 text-sm font-medium text-slate-50 hover:bg-slate-700"
            >
              Add server
            </Link>
          )
        }
      />
      {nodes.error ? (
        <ErrorState error={nodes.error} onRetry={() => void nodes.refetch()} />
      ) : !nodes.data ? (
        <LoadingState label="Loading nodes" />
      ) : nodes.data.length === 0 ? (
        <EmptyState
          title="No nodes yet"
          description="Add a server: it shows up here as soon as its agent joins."
        />
      ) : (
        <Table label="Nodes">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Status</Th>
              <Th>Last seen</Th>
              <Th>Overlay addresses</Th>
              <Th>ASN</Th>
              <Th>Endpoints</Th>
              <Th>Agent</Th>
              <Th>Config</Th>
              {canEdit && <Th className="text-right">Actions</Th>}
            </tr>
          </thead>
          <tbody>
            {nodes.data.map((node) => (
              <Tr key={node.id} data-testid={`node-row-${node.name}`}>
                <Td>
                  <Link
                    href={`/nodes/${node.id}`}
                    className="font-medium text-slate-900 hover:text-blue-700 hover:underline"
                  >
                    {node.name}
                  </Link>
                  <span className="ml-1.5 text-xs text-slate-400">#{node.index}</span>
                </Td>
                <Td>
                  <NodeStatusBadge
                    isOnline={isOnline(node.lastSeenAt)}
                    lastSeenAt={node.lastSeenAt}
                  />
                </Td>
                <Td
                  className="whitespace-nowrap text-slate-600"
                  title={formatTimestamp(node.lastSeenAt)}
                >
                  {formatAgo(node.lastSeenAt, now)}
                </Td>
                <Td className="font-mono text-xs leading-5">
                  <div>{node.ipv4}</div>
                  <div className="text-slate-500">{node.ipv6}</div>
                </Td>
                <Td className="font-mono text-xs">{node.asn}</Td>
                <Td className="font-mono text-xs leading-5 text-slate-600">
                  {node.endpoints.length === 0
                    ? "—"
                    : node.endpoints.map((e) => <div key={e}>{e}</div>)}
                </Td>
                <Td className="text-xs text-slate-600">{node.agentVersion ?? "—"}</Td>
                <Td>
                  <ConfigDriftBadge
                    applied={node.appliedConfigVersion}
                    desired={node.desiredConfigVersion}
                    applyError={node.applyError}
                    isOnline={isOnline(node.lastSeenAt)}
                  />
                </Td>
                {canEdit && (
                  <Td className="text-right whitespace-nowrap">
                    <Link
                      href={`/nodes/${node.id}`}
                      className="mr-1 text-xs font-medium text-slate-600 hover:text-slate-900"
                    >
                      Open
                    </Link>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setRemoving({ id: node.id, name: node.name })}
                    >
                      Remove
                    </Button>
                  </Td>
                )}
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <ConfirmDialog
        isOpen={removing != null}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
        onConfirm={() => removing && remove.mutate({ nodeId: removing.id })}
        title={`Remove ${removing?.name ?? ""}?`}
        confirmLabel="Remove node"
        isBusy={remove.isPending}
        error={remove.error?.message}
      >
        Every peer tears down its tunnel to this node and its routes disappear from the mesh. The
        agent on the server stops receiving config.
      </ConfirmDialog>
    </div>
  );
}
