"use client";
// The prefixes a node advertises, edited as a list and saved as a whole. The API validates
// (CIDR syntax, host bits, pools, overlaps); its message is shown inline at the offending row.
import type { RouterOutputs } from "@meshover/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { useTRPC } from "~/trpc/react";

type TPrefixRow = { key: number; cidr: string; isAnycast: boolean; description: string };

/** Editable list of advertised prefixes (read-only for viewers). */
export function PrefixEditor({
  nodeId,
  prefixes,
  canEdit,
}: {
  nodeId: string;
  prefixes: RouterOutputs["node"]["get"]["prefixes"];
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<TPrefixRow[] | null>(null);
  const [nextKey, setNextKey] = useState(1000);
  const save = useMutation(
    trpc.node.setPrefixes.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.node.get.queryFilter({ nodeId }));
        setRows(null);
      },
    }),
  );
  const editing = rows != null;
  const shown: TPrefixRow[] =
    rows ??
    prefixes.map((p, i) => ({
      key: i,
      cidr: p.cidr,
      isAnycast: p.isAnycast,
      description: p.description ?? "",
    }));
  const message = save.error?.message ?? null;
  // The API names the prefix it refuses; mark that row (else show the message under the list).
  const badKey = message
    ? shown.find((r) => r.cidr.trim() !== "" && message.includes(r.cidr.trim()))?.key
    : undefined;
  const update = (key: number, patch: Partial<TPrefixRow>) => {
    save.reset();
    setRows(shown.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  };
  return (
    <Card
      title="Advertised prefixes"
      actions={
        canEdit &&
        !editing && (
          <Button size="sm" onClick={() => setRows(shown)}>
            Edit
          </Button>
        )
      }
    >
      <p className="mb-3 text-xs text-slate-500">
        Subnets behind this node (VMs, pods, LAN) announced to every peer over BGP, besides the
        node's own addresses.
      </p>
      {shown.length === 0 && !editing && (
        <p className="text-sm text-slate-500">
          No prefixes: only the node's own addresses are announced.
        </p>
      )}
      {shown.length > 0 && (
        <table className="w-full text-sm" aria-label="Advertised prefixes">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="pb-1 font-medium">Prefix</th>
              <th className="pb-1 font-medium">Anycast</th>
              <th className="pb-1 font-medium">Description</th>
              {editing && <th />}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.key} className="align-top">
                <td className="py-1 pr-2">
                  {editing ? (
                    <>
                      <input
                        aria-label="Prefix"
                        aria-invalid={badKey === row.key || undefined}
                        value={row.cidr}
                        placeholder="192.168.10.0/24"
                        onChange={(e) => update(row.key, { cidr: e.target.value })}
                        className={`w-48 rounded-md border px-2 py-1 font-mono text-xs ${
                          badKey === row.key ? "border-red-400 bg-red-50" : "border-slate-300"
                        }`}
                      />
                      {badKey === row.key && (
                        <p role="alert" className="mt-1 max-w-xs text-xs text-red-600">
                          {message}
                        </p>
                      )}
                    </>
                  ) : (
                    <span className="font-mono text-xs">{row.cidr}</span>
                  )}
                </td>
                <td className="py-1 pr-2">
                  <input
                    type="checkbox"
                    aria-label={`Anycast ${row.cidr}`}
                    checked={row.isAnycast}
                    disabled={!editing}
                    onChange={(e) => update(row.key, { isAnycast: e.target.checked })}
                  />
                </td>
                <td className="py-1 pr-2">
                  {editing ? (
                    <input
                      aria-label="Description"
                      value={row.description}
                      onChange={(e) => update(row.key, { description: e.target.value })}
                      className="w-full rounded-md border border-slate-300 px-2 py-1 text-xs"
                    />
                  ) : (
                    <span className="text-xs text-slate-600">{row.description || "—"}</span>
                  )}
                </td>
                {editing && (
                  <td className="py-1 text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${row.cidr || "row"}`}
                      onClick={() => setRows(shown.filter((r) => r.key !== row.key))}
                    >
                      ✕
                    </Button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <div className="mt-3 space-y-2">
          {message && badKey === undefined && (
            <p role="alert" className="text-xs text-red-600">
              {message}
            </p>
          )}
          <div className="flex gap-2">
            <Button
              size="sm"
              onClick={() => {
                setRows([...shown, { key: nextKey, cidr: "", isAnycast: false, description: "" }]);
                setNextKey(nextKey + 1);
              }}
            >
              Add prefix
            </Button>
            <div className="flex-1" />
            <Button
              size="sm"
              onClick={() => {
                save.reset();
                setRows(null);
              }}
            >
              Cancel
            </Button>
            <Button
              size="sm"
              variant="primary"
              isBusy={save.isPending}
              onClick={() =>
                save.mutate({
                  nodeId,
                  prefixes: shown
                    .filter((r) => r.cidr.trim() !== "")
                    .map((r) => ({
                      cidr: r.cidr.trim(),
                      isAnycast: r.isAnycast,
                      description: r.description.trim() || null,
                    })),
                })
              }
            >
              Save prefixes
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}
