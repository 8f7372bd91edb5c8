"use client";
// Desired vs observed for one node: the config version it should run and the one it applied,
// what its agent last saw on the host (a tunnel or BGP neighbour that should exist and does
// not, or the reverse), a "Re-apply" action (the agent reconciles once more from a fresh look
// at the host and FRR), and after a prefix change how many peers report receiving each prefix.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { LoadingState } from "~/components/ui/states";
import { formatAgo } from "~/lib/format-values";
import { useNow } from "~/lib/use-now";
import { useTRPC } from "~/trpc/react";

function Difference({ label, names }: { label: string; names: string[] }) {
  if (names.length === 0) return null;
  return (
    <li className="text-amber-800">
      {label}: <span className="font-mono">{names.join(", ")}</span>
    </li>
  );
}

/** The drift card of the node page. */
export function DriftPanel({ nodeId, canEdit }: { nodeId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const drift = useQuery(
    trpc.drift.get.queryOptions(
      { nodeId },
      // The node page invalidates it on every pushed report; the timer is a safety net (and
      // fast while a re-apply runs).
      {
        refetchInterval: (query) => (query.state.data?.reapply.isPending ? 1_000 : 10_000),
      },
    ),
  );
  const reapply = useMutation(
    trpc.drift.reapply.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.drift.get.queryFilter({ nodeId })),
    }),
  );
  const now = useNow(1_000);
  const d = drift.data;
  const differences = d?.differences;
  const differenceCount = differences
    ? differences.missingTunnels.length +
      differences.extraTunnels.length +
      differences.missingNeighbors.length +
      differences.extraNeighbors.length
    : 0;
  return (
    <Card
      title="Drift"
      actions={
        canEdit && (
          <Button
            size="sm"
            isBusy={reapply.isPending || d?.reapply.isPending}
            onClick={() => reapply.mutate({ nodeId })}
          >
            Re-apply
          </Button>
        )
      }
    >
      {reapply.error && (
        <p role="alert" className="mb-2 text-xs text-red-600">
          {reapply.error.message}
        </p>
      )}
      {!d ? (
        <LoadingState rows={3} label="Loading drift" />
      ) : (
        <div className="space-y-3 text-xs" data-testid="drift" data-differences={differenceCount}>
          <p className="flex flex-wrap items-center gap-2">
            <span>
              desired v{d.desiredVersion} · applied{" "}
              {d.appliedVersion === null ? "none yet" : `v${d.appliedVersion}`}
            </span>
            {d.appliedVersion === d.desiredVersion && !d.applyError ? (
              <Badge tone="green">in sync</Badge>
            ) : d.applyError ? (
              <Badge tone="red">apply failed</Badge>
            ) : (
              <Badge tone="blue">applying</Badge>
            )}
          </p>
          {!differences ? (
            <p className="text-slate-500">
              This agent does not report what its host has (an older version).
            </p>
          ) : differenceCount === 0 ? (
            <p className="text-slate-600" data-testid="drift-none">
              Host matches the config: every tunnel and BGP neighbour present, none extra
              {d.observedAt ? ` (seen ${formatAgo(d.observedAt, now)})` : ""}.
            </p>
          ) : (
            <ul className="space-y-0.5" data-testid="drift-differences">
              <Difference label="tunnel missing" names={differences.missingTunnels} />
              <Difference label="tunnel not in the config" names={differences.extraTunnels} />
              <Difference label="BGP neighbour missing" names={differences.missingNeighbors} />
              <Difference
                label="BGP neighbour not in the config"
                names={differences.extraNeighbors}
              />
            </ul>
          )}
          <p className="text-slate-500" data-testid="reapply-state">
            {d.reapply.isPending
              ? `Re-apply requested ${formatAgo(d.reapply.requestedAt, now)}: waiting for the agent to observe its host afresh and report.`
              : d.reapply.doneAt
                ? `Last re-apply done ${formatAgo(d.reapply.doneAt, now)}.`
                : "Re-apply makes the agent rebuild what is missing from a fresh look at its host and FRR."}
          </p>
          <div>
            <h3 className="mb-1 font-semibold text-slate-700">Announcements</h3>
            {d.prefixes.length === 0 ? (
              <p className="text-slate-500">No attached prefixes.</p>
            ) : (
              <ul className="space-y-1" data-testid="announcements">
                {d.prefixes.map((prefix) => (
                  <li key={prefix.cidr} className="flex flex-wrap justify-between gap-2">
                    <span className="font-mono">{prefix.cidr}</span>
                    <span
                      className={
                        prefix.announcedTo < prefix.peerCount ? "text-amber-700" : "text-slate-600"
                      }
                    >
                      announced to {prefix.announcedTo} of {prefix.peerCount} peers
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
