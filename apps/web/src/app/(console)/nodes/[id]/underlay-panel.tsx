"use client";
// The node's underlay (issue #17): its addresses and families, whether peers can dial it,
// the admin's settings (NAT mode, transit, hub), and how it reaches every other node: direct
// over IPv6 or IPv4, through which node, or not at all (with the reason).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { classifyReach, describeReach } from "~/lib/describe-reach";
import { useTRPC } from "~/trpc/react";

const MODE_LABELS = {
  auto: "auto (behind NAT when no address is public)",
  behind_nat: "behind NAT (outbound only)",
  public: "public (peers dial every address)",
} as const;
type TMode = keyof typeof MODE_LABELS;

/** The underlay section of the node page. */
export function UnderlayPanel({ nodeId, canEdit }: { nodeId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const matrix = useQuery(
    trpc.underlay.matrix.queryOptions({ nodeId }, { refetchInterval: 10_000 }),
  );
  const [draft, setDraft] = useState<{ mode: TMode; canTransit: boolean; isHub: boolean } | null>(
    null,
  );
  const save = useMutation(
    trpc.underlay.setNode.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.underlay.matrix.queryFilter());
        setDraft(null);
      },
    }),
  );
  if (matrix.error) {
    return (
      <Card title="Underlay and paths">
        <ErrorState error={matrix.error} onRetry={() => void matrix.refetch()} />
      </Card>
    );
  }
  if (!matrix.data) {
    return (
      <Card title="Underlay and paths">
        <LoadingState rows={3} label="Loading the reachability matrix" />
      </Card>
    );
  }
  const names = new Map(matrix.data.nodes.map((n) => [n.id, n.name]));
  const self = matrix.data.nodes.find((n) => n.id === nodeId);
  const rows = matrix.data.pairs
    .map((pair) => ({ pair, peerId: pair.a === nodeId ? pair.b : pair.a }))
    .sort((x, y) => (names.get(x.peerId) ?? "").localeCompare(names.get(y.peerId) ?? ""));
  const failures = matrix.data.failures;
  return (
    <Card
      title="Underlay and paths"
      actions={
        canEdit &&
        self &&
        !draft && (
          <Button
            size="sm"
            onClick={() =>
              setDraft({ mode: self.underlayMode, canTransit: self.canTransit, isHub: self.isHub })
            }
          >
            Edit
          </Button>
        )
      }
    >
      {!self ? (
        <p className="text-sm text-slate-600">Not in the mesh yet (no WireGuard key reported).</p>
      ) : (
        <div className="space-y-3" data-testid="underlay-panel">
          <div className="flex flex-wrap items-center gap-2 text-xs">
            {self.families.map((f) => (
              <Badge key={f} tone="blue">
                {f === "ipv6" ? "IPv6" : "IPv4"}
              </Badge>
            ))}
            {self.families.length === 0 && <Badge tone="red">no underlay address</Badge>}
            <Badge tone={self.isBehindNat ? "amber" : "green"}>
              {self.isBehindNat ? "behind NAT: dials its peers" : "reachable: peers dial it"}
            </Badge>
            {!self.canTransit && <Badge tone="slate">no transit</Badge>}
            {self.isHub && <Badge tone="blue">hub</Badge>}
            <span className="font-mono text-slate-600">{self.endpoints.join(", ") || "—"}</span>
          </div>
          {draft && (
            <form
              className="flex flex-wrap items-end gap-4 rounded-md bg-slate-50 p-3 text-sm"
              onSubmit={(event) => {
                event.preventDefault();
                save.mutate({
                  nodeId,
                  underlayMode: draft.mode,
                  canTransit: draft.canTransit,
                  isHub: draft.isHub,
                });
              }}
            >
              <label className="flex flex-col gap-1">
                <span className="text-xs text-slate-600">Underlay</span>
                <select
                  className="rounded border border-slate-300 px-2 py-1"
                  value={draft.mode}
                  onChange={(e) => setDraft({ ...draft, mode: e.target.value as TMode })}
                >
                  {Object.entries(MODE_LABELS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={draft.canTransit}
                  onChange={(e) => setDraft({ ...draft, canTransit: e.target.checked })}
                />
                carries transit for other nodes
              </label>
              <label className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={draft.isHub}
                  onChange={(e) => setDraft({ ...draft, isHub: e.target.checked })}
                />
                hub (spokes peer only with hubs)
              </label>
              <Button type="submit" variant="primary" size="sm" isBusy={save.isPending}>
                Save
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setDraft(null)}>
                Cancel
              </Button>
              {save.error && <p className="w-full text-xs text-red-700">{save.error.message}</p>}
            </form>
          )}
          <Table label="Paths to other nodes">
            <thead>
              <tr>
                <Th>Node</Th>
                <Th>Path</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ pair, peerId }) => {
                const kind = classifyReach(pair);
                return (
                  <Tr key={peerId} data-testid={`path-${names.get(peerId) ?? peerId}`}>
                    <Td className="font-mono text-xs">{names.get(peerId) ?? peerId}</Td>
                    <Td
                      className={`text-xs ${
                        kind === "unreachable"
                          ? "text-red-700"
                          : kind === "via"
                            ? "text-indigo-700"
                            : "text-slate-700"
                      }`}
                    >
                      {describeReach(pair, names)}
                      {pair.kind === "via" && pair.reasonText && (
                        <span className="block text-slate-500">{pair.reasonText}</span>
                      )}
                    </Td>
                  </Tr>
                );
              })}
            </tbody>
          </Table>
          {failures.length > 0 && (
            <p className="text-xs text-slate-600">
              Measured dead direct paths are tried again after{" "}
              {failures.map((f) => f.retryAt.toLocaleTimeString()).join(", ")}.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
