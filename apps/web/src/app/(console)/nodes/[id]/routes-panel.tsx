"use client";
// The node's Routes panel (issue #14): what its agent discovered on the host with each verdict
// (announced, refused by which rule, conflict), the conflicts it is part of with their resolve
// actions, and the routing policy editor.
import type { RouterOutputs } from "@meshover/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { formatAgo, formatTimestamp } from "~/lib/format-values";
import { useTRPC } from "~/trpc/react";
import { RoutingPolicyEditor } from "./routing-policy-editor";

type TCandidate = RouterOutputs["routing"]["candidates"][number];
type TConflict = RouterOutputs["routing"]["conflicts"][number];

const REFUSALS: Record<NonNullable<TCandidate["refusal"]>, string> = {
  "origination-disabled": "origination off",
  "outside-allowed-ranges": "outside allowed ranges",
  "longer-than-allowed": "longer than allowed",
  "always-denied": "always denied",
  "prefix-cap": "over the prefix cap",
  withheld: "withheld",
  "speaker-needs-frr9": "needs FRR 9",
};

/** Whether the controller holds this node's copy of the prefix back (an open or lost conflict). */
function isHeldBack(conflict: TConflict | null, nodeId: string): boolean {
  if (!conflict) return false;
  const resolution = conflict.resolution;
  if (!resolution) return true;
  if (resolution.kind === "anycast") return false;
  return resolution.kind === "withhold" || resolution.nodeId !== nodeId;
}

function describeSource(candidate: TCandidate): string {
  const where = candidate.interface ?? candidate.speaker ?? null;
  const protocol = candidate.protocol ? ` proto ${candidate.protocol}` : "";
  return `${candidate.source}${where ? ` (${where}${protocol})` : protocol ? ` (${protocol.trim()})` : ""}`;
}

function Verdict({ candidate, nodeId }: { candidate: TCandidate; nodeId: string }) {
  if (!candidate.isPresent) return <Badge tone="slate">gone</Badge>;
  if (isHeldBack(candidate.conflict, nodeId)) {
    return (
      <Badge tone="red" hasDot>
        conflict
      </Badge>
    );
  }
  if (candidate.verdict === "announced") {
    return (
      <span className="inline-flex flex-wrap gap-1">
        <Badge tone="green" hasDot>
          announced
        </Badge>
        {candidate.overlaps.length > 0 ? <Badge tone="amber">overlap</Badge> : null}
      </span>
    );
  }
  return (
    <Badge tone="amber" hasDot>
      refused: {candidate.refusal ? REFUSALS[candidate.refusal] : "unknown rule"}
    </Badge>
  );
}

function ConflictRow({
  conflict,
  canEdit,
  onResolve,
  isBusy,
}: {
  conflict: TConflict;
  canEdit: boolean;
  onResolve: (kind: "node" | "anycast" | "withhold" | "reopen", nodeId?: string) => void;
  isBusy: boolean;
}) {
  const resolution = conflict.resolution;
  return (
    <li
      className="rounded-md border border-red-200 bg-red-50 px-3 py-2"
      data-testid={`conflict-${conflict.prefix}`}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-mono text-sm text-slate-900">{conflict.prefix}</span>
        <span className="text-xs text-slate-600">
          on {conflict.nodes.map((node) => node.name).join(", ")} · since{" "}
          {formatTimestamp(conflict.detectedAt)}
        </span>
      </div>
      <p className="mt-1 text-xs text-red-700">{conflict.reason}</p>
      <p className="mt-1 text-xs text-slate-700" data-testid="conflict-resolution">
        {!resolution
          ? "Open: announced by none of them until resolved."
          : resolution.kind === "node"
            ? `Resolved: only ${resolution.nodeName ?? "a removed node"} announces it.`
            : resolution.kind === "anycast"
              ? "Resolved: one network on purpose, every node announces it (anycast)."
              : "Resolved: withheld everywhere until renumbered."}
      </p>
      {canEdit && (
        <div className="mt-2 flex flex-wrap gap-2">
          {conflict.nodes.map((node) => (
            <Button
              key={node.id}
              size="sm"
              disabled={isBusy}
              onClick={() => onResolve("node", node.id)}
            >
              Only {node.name}
            </Button>
          ))}
          <Button size="sm" disabled={isBusy} onClick={() => onResolve("anycast")}>
            Anycast (all)
          </Button>
          <Button size="sm" disabled={isBusy} onClick={() => onResolve("withhold")}>
            Withhold (renumber)
          </Button>
          {resolution && (
            <Button size="sm" variant="ghost" disabled={isBusy} onClick={() => onResolve("reopen")}>
              Reopen
            </Button>
          )}
        </div>
      )}
    </li>
  );
}

/** Discovered routes, conflicts and the routing policy of one node. */
export function RoutesPanel({
  nodeId,
  nodeAsn,
  canEdit,
  now,
}: {
  nodeId: string;
  nodeAsn: number;
  canEdit: boolean;
  now: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const candidates = useQuery(
    trpc.routing.candidates.queryOptions({ nodeId }, { refetchInterval: 5_000 }),
  );
  const conflicts = useQuery(
    trpc.routing.conflicts.queryOptions({ nodeId }, { refetchInterval: 5_000 }),
  );
  const resolve = useMutation(
    trpc.routing.resolveConflict.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.routing.conflicts.queryFilter());
        await queryClient.invalidateQueries(trpc.routing.candidates.queryFilter({ nodeId }));
      },
    }),
  );
  const rows = candidates.data ?? [];
  const present = rows.filter((row) => row.isPresent);
  const announced = present.filter(
    (row) => row.verdict === "announced" && !isHeldBack(row.conflict, nodeId),
  ).length;
  return (
    <div className="space-y-4">
      <Card
        title="Routes from this host"
        actions={
          <span className="text-xs text-slate-500" data-testid="routes-summary">
            {present.length} discovered · {announced} announced
          </span>
        }
      >
        {candidates.error ? (
          <ErrorState error={candidates.error} onRetry={() => void candidates.refetch()} />
        ) : !candidates.data ? (
          <LoadingState rows={3} label="Loading discovered routes" />
        ) : rows.length === 0 ? (
          <p className="text-sm text-slate-500">
            Nothing discovered yet. The agent reports what it finds on the host (interfaces, kernel
            routes, Cilium's pod CIDR, BGP speakers) from the sources below.
          </p>
        ) : (
          <Table label="Discovered routes">
            <thead>
              <tr>
                <Th>Prefix</Th>
                <Th>Source</Th>
                <Th>Verdict</Th>
                <Th>Why</Th>
                <Th>First seen</Th>
                <Th>Changes (24 h)</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <Tr
                  key={`${row.source} ${row.prefix}`}
                  className={row.isPresent ? undefined : "opacity-60"}
                  data-testid={`candidate-${row.prefix}`}
                >
                  <Td className="font-mono text-xs">{row.prefix}</Td>
                  <Td className="text-xs">{describeSource(row)}</Td>
                  <Td>
                    <Verdict candidate={row} nodeId={nodeId} />
                  </Td>
                  <Td className="max-w-sm text-xs text-slate-600">
                    {isHeldBack(row.conflict, nodeId)
                      ? row.conflict?.reason
                      : row.overlaps.length > 0
                        ? row.overlaps.map((overlap) => overlap.reason).join("; ")
                        : (row.detail ?? "—")}
                  </Td>
                  <Td className="text-xs" title={formatTimestamp(row.firstSeenAt)}>
                    {formatAgo(row.firstSeenAt, now)}
                  </Td>
                  <Td className="text-xs">{row.flapCount}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      {(conflicts.data ?? []).length > 0 && (
        <Card title="Route conflicts">
          <p className="mb-2 text-xs text-slate-500">
            Several nodes would announce the same prefix. Nobody announces it until you choose.
          </p>
          {resolve.error && (
            <p role="alert" className="mb-2 text-xs text-red-600">
              {resolve.error.message}
            </p>
          )}
          <ul className="space-y-2">
            {(conflicts.data ?? []).map((conflict) => (
              <ConflictRow
                key={conflict.prefix}
                conflict={conflict}
                canEdit={canEdit}
                isBusy={resolve.isPending}
                onResolve={(kind, chosen) =>
                  resolve.mutate({ prefix: conflict.prefix, kind, nodeId: chosen ?? null })
                }
              />
            ))}
          </ul>
        </Card>
      )}
      <RoutingPolicyEditor nodeId={nodeId} nodeAsn={nodeAsn} canEdit={canEdit} />
    </div>
  );
}
