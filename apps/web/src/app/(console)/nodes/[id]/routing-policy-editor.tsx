"use client";
// A node's routing policy: the "may originate routes" switch, exit node, prefix cap, allowed
// ranges and the node's own sources (or the mesh default). Every field is checked as it is
// typed with netcfg's validateRoutingPolicy (the controller's own check); a refusal from the
// controller lands at the field it names, and the draft stays as typed.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { RouteSourcesFields } from "~/components/routing/route-sources-fields";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { TextField } from "~/components/ui/form-field";
import { ErrorState, LoadingState } from "~/components/ui/states";
import {
  checkPolicyDraft,
  readErrorField,
  toPolicyDraft,
  toPolicyInput,
  type TPolicyDraft,
  type TSourcesValue,
} from "~/lib/routing-draft";
import { useTRPC } from "~/trpc/react";

const CELL_INPUT = "w-full rounded-md border px-2 py-1 text-xs";

function describeSources(sources: TSourcesValue): string {
  const parts = [
    sources.interfaces.length > 0 ? `interfaces ${sources.interfaces.join(", ")}` : null,
    sources.kernelProtocols.length > 0
      ? `kernel routes proto ${sources.kernelProtocols.join(", ")}`
      : null,
    sources.ciliumPodCidr ? "Cilium pod CIDR" : null,
    sources.speakers.length > 0
      ? `speakers ${sources.speakers.map((s) => `${s.listenRange} AS${s.asn}`).join(", ")}`
      : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(" · ") : "nothing";
}

/** View and edit one node's routing policy (read-only for viewers). */
export function RoutingPolicyEditor({
  nodeId,
  nodeAsn,
  canEdit,
}: {
  nodeId: string;
  nodeAsn: number;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.routing.get.queryOptions({ nodeId }));
  const settings = useQuery(trpc.settings.get.queryOptions(undefined, { staleTime: 60_000 }));
  const nodes = useQuery(trpc.node.list.queryOptions(undefined, { staleTime: 30_000 }));
  const [draft, setDraft] = useState<TPolicyDraft | null>(null);
  const [nextKey, setNextKey] = useState(100);
  const save = useMutation(
    trpc.routing.update.mutationOptions({
      onSuccess: async () => {
        setDraft(null);
        await queryClient.invalidateQueries(trpc.routing.get.queryFilter({ nodeId }));
        await queryClient.invalidateQueries(trpc.routing.conflicts.queryFilter());
      },
    }),
  );
  const context = useMemo(
    () =>
      settings.data
        ? {
            pools: { ipv4Pool: settings.data.ipv4Pool, ipv6Pool: settings.data.ipv6Pool },
            underlay: [...new Set((nodes.data ?? []).flatMap((node) => node.endpoints))],
            nodeAsn,
          }
        : null,
    [settings.data, nodes.data, nodeAsn],
  );
  const issues = useMemo(() => {
    const found = draft && context ? checkPolicyDraft(draft, context) : new Map<string, string>();
    const refused = readErrorField(save.error);
    if (refused && !found.has(refused.key)) found.set(refused.key, refused.message);
    return found;
  }, [draft, context, save.error]);

  if (policy.error)
    return <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />;
  if (!policy.data) return <LoadingState rows={4} label="Loading route policy" />;
  const p = policy.data;
  const change = (next: TPolicyDraft) => {
    save.reset();
    setDraft(next);
  };
  const editing = draft !== null;
  const unplacedError = save.error && !readErrorField(save.error) ? save.error.message : null;

  if (!editing) {
    return (
      <Card
        title="Route policy"
        actions={
          canEdit && (
            <Button size="sm" onClick={() => setDraft(toPolicyDraft(p))}>
              Change policy
            </Button>
          )
        }
      >
        <dl
          className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm md:grid-cols-4"
          data-testid="route-policy"
        >
          <div>
            <dt className="text-xs text-slate-500">May originate routes</dt>
            <dd>
              {p.mayOriginate ? <Badge tone="green">on</Badge> : <Badge tone="slate">off</Badge>}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Exit node</dt>
            <dd>{p.exitNode ? "yes (may announce a default route)" : "no"}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Prefix cap</dt>
            <dd>{p.maxPrefixes}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Sources</dt>
            <dd className="text-xs">
              {p.sources === null ? "mesh default: " : "own: "}
              {describeSources(p.effectiveSources)}
            </dd>
          </div>
        </dl>
        <p className="mt-3 mb-1 text-xs font-medium text-slate-700">Allowed ranges</p>
        {p.allowedRanges.length === 0 ? (
          <p className="text-xs text-slate-500">
            None: nothing discovered is announced (only the attached prefixes above).
          </p>
        ) : (
          <ul className="space-y-0.5 text-xs" aria-label="Allowed ranges">
            {p.allowedRanges.map((range) => (
              <li key={range.prefix}>
                <span className="font-mono">
                  {range.prefix} up to /{range.maxLength}
                </span>
                {range.anycast && <span className="text-slate-500"> · anycast</span>}
                {range.description && (
                  <span className="text-slate-500"> · {range.description}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    );
  }

  const rangeIssue = (i: number, field: "prefix" | "maxLength") =>
    issues.get(`allowedRanges.${i}.${field}`);
  const updateRange = (key: number, patch: Partial<TPolicyDraft["allowedRanges"][number]>) =>
    change({
      ...draft,
      allowedRanges: draft.allowedRanges.map((r) => (r.key === key ? { ...r, ...patch } : r)),
    });
  return (
    <Card title="Route policy">
      <div className="space-y-4">
        <div className="flex flex-wrap items-start gap-6">
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              role="switch"
              aria-checked={draft.mayOriginate}
              checked={draft.mayOriginate}
              onChange={(e) => change({ ...draft, mayOriginate: e.target.checked })}
            />
            May originate routes
          </label>
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              checked={draft.exitNode}
              onChange={(e) => change({ ...draft, exitNode: e.target.checked })}
            />
            Exit node (may announce a default route)
          </label>
          <TextField
            id="routing-max-prefixes"
            label="Prefix cap"
            className="w-40"
            inputMode="numeric"
            value={draft.maxPrefixes}
            error={issues.get("maxPrefixes")}
            hint="More discovered prefixes are refused."
            onChange={(e) => change({ ...draft, maxPrefixes: e.target.value })}
          />
        </div>
        <div>
          <p className="mb-1 text-xs font-medium text-slate-700">Allowed ranges</p>
          <p className="mb-2 text-xs text-slate-500">
            A discovered prefix is announced only inside one of these, no longer than its maximum
            length. Anycast ranges may be announced by several nodes on purpose.
          </p>
          {draft.allowedRanges.length > 0 && (
            <table className="w-full text-sm" aria-label="Allowed ranges">
              <thead>
                <tr className="text-left text-xs text-slate-500">
                  <th className="pb-1 font-medium">Range</th>
                  <th className="pb-1 font-medium">Max length</th>
                  <th className="pb-1 font-medium">Anycast</th>
                  <th className="pb-1 font-medium">Description</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {draft.allowedRanges.map((range, i) => (
                  <tr key={range.key} className="align-top">
                    {(["prefix", "maxLength"] as const).map((field) => {
                      const message = rangeIssue(i, field);
                      return (
                        <td
                          key={field}
                          className={`py-1 pr-2 ${field === "prefix" ? "w-56" : "w-28"}`}
                        >
                          <input
                            aria-label={field === "prefix" ? "Range" : "Max length"}
                            aria-invalid={message ? true : undefined}
                            inputMode={field === "maxLength" ? "numeric" : undefined}
                            value={range[field]}
                            placeholder={field === "prefix" ? "10.60.0.0/16" : "24"}
                            onChange={(e) => updateRange(range.key, { [field]: e.target.value })}
                            className={`${CELL_INPUT} font-mono ${message ? "border-red-400 bg-red-50" : "border-slate-300"}`}
                          />
                          {message && (
                            <p role="alert" className="mt-1 text-xs text-red-600">
                              {message}
                            </p>
                          )}
                        </td>
                      );
                    })}
                    <td className="py-1 pr-2">
                      <input
                        type="checkbox"
                        aria-label={`Anycast ${range.prefix}`}
                        checked={range.anycast}
                        onChange={(e) => updateRange(range.key, { anycast: e.target.checked })}
                      />
                    </td>
                    <td className="py-1 pr-2">
                      <input
                        aria-label="Range description"
                        value={range.description}
                        onChange={(e) => updateRange(range.key, { description: e.target.value })}
                        className={`${CELL_INPUT} border-slate-300`}
                      />
                    </td>
                    <td className="py-1 text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Remove range ${range.prefix || i + 1}`}
                        onClick={() =>
                          change({
                            ...draft,
                            allowedRanges: draft.allowedRanges.filter((r) => r.key !== range.key),
                          })
                        }
                      >
                        ✕
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Button
            size="sm"
            className="mt-2"
            onClick={() => {
              change({
                ...draft,
                allowedRanges: [
                  ...draft.allowedRanges,
                  { key: nextKey, prefix: "", maxLength: "32", anycast: false, description: "" },
                ],
              });
              setNextKey(nextKey + 1);
            }}
          >
            Add range
          </Button>
        </div>
        <div>
          <p className="mb-1 text-xs font-medium text-slate-700">Sources</p>
          <label className="mb-2 flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              checked={draft.useMeshDefault}
              onChange={(e) => change({ ...draft, useMeshDefault: e.target.checked })}
            />
            Use the mesh default sources (Settings)
          </label>
          {draft.useMeshDefault ? (
            <p className="text-xs text-slate-500">
              Mesh default: {describeSources(p.effectiveSources)}
            </p>
          ) : (
            <RouteSourcesFields
              idPrefix="routing"
              draft={draft.sources}
              issues={issues}
              base="sources."
              onChange={(sources) => change({ ...draft, sources })}
            />
          )}
        </div>
        {unplacedError && (
          <p role="alert" className="text-xs text-red-600">
            {unplacedError}
          </p>
        )}
        <div className="flex items-center gap-2 border-t border-slate-200 pt-3">
          {issues.size > 0 && (
            <span className="text-xs text-red-600" data-testid="routing-issue-count">
              {issues.size === 1 ? "1 field needs" : `${issues.size} fields need`} fixing before
              saving
            </span>
          )}
          <div className="flex-1" />
          <Button
            size="sm"
            onClick={() => {
              save.reset();
              setDraft(null);
            }}
          >
            Cancel
          </Button>
          <Button
            size="sm"
            variant="primary"
            isBusy={save.isPending}
            disabled={save.isPending || (issues.size > 0 && !readErrorField(save.error))}
            onClick={() => save.mutate({ nodeId, ...toPolicyInput(draft) })}
          >
            Save policy
          </Button>
        </div>
      </div>
    </Card>
  );
}
