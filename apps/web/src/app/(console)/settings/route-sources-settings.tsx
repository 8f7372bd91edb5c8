"use client";
// The mesh-default route sources (issue #14): what every node without its own sources picks up
// from its host. Checked as typed with the controller's own validation; saved on its own.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { RouteSourcesFields } from "~/components/routing/route-sources-fields";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { LoadingState } from "~/components/ui/states";
import {
  checkSourcesDraft,
  readErrorField,
  toSourcesDraft,
  toSourcesInput,
  type TSourcesDraft,
} from "~/lib/routing-draft";
import { useTRPC } from "~/trpc/react";

/** The mesh-default route sources card (read-only for viewers). */
export function RouteSourcesSettings({
  canEdit,
  pools,
}: {
  canEdit: boolean;
  pools: { ipv4Pool: string; ipv6Pool: string };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sources = useQuery(trpc.routing.defaultSources.queryOptions());
  const nodes = useQuery(trpc.node.list.queryOptions(undefined, { staleTime: 30_000 }));
  const [draft, setDraft] = useState<TSourcesDraft | null>(null);
  const save = useMutation(
    trpc.routing.setDefaultSources.mutationOptions({
      onSuccess: async () => {
        setDraft(null);
        await queryClient.invalidateQueries(trpc.routing.defaultSources.queryFilter());
      },
    }),
  );
  const shown = draft ?? (sources.data ? toSourcesDraft(sources.data) : null);
  const issues = useMemo(() => {
    const context = {
      pools,
      underlay: [...new Set((nodes.data ?? []).flatMap((node) => node.endpoints))],
      nodeAsn: null,
    };
    const found = draft ? checkSourcesDraft(draft, context) : new Map<string, string>();
    const refused = readErrorField(save.error);
    if (refused && !found.has(refused.key)) found.set(refused.key, refused.message);
    return found;
  }, [draft, pools, nodes.data, save.error]);
  return (
    <Card title="Route sources (mesh default)">
      <p className="mb-3 text-xs text-slate-500">
        What every node without its own sources picks up from its host. Nothing is announced unless
        the node may originate routes and the prefix lies in one of its allowed ranges (node page,
        Route policy).
      </p>
      {!shown ? (
        <LoadingState rows={2} label="Loading route sources" />
      ) : (
        <>
          <RouteSourcesFields
            idPrefix="default-sources"
            draft={shown}
            issues={issues}
            base=""
            disabled={!canEdit}
            onChange={(next) => {
              save.reset();
              setDraft(next);
            }}
          />
          {save.error && !readErrorField(save.error) && (
            <p role="alert" className="mt-2 text-xs text-red-600">
              {save.error.message}
            </p>
          )}
          {canEdit && (
            <div className="mt-3 flex justify-end gap-2">
              <Button
                size="sm"
                disabled={!draft}
                onClick={() => {
                  save.reset();
                  setDraft(null);
                }}
              >
                Discard
              </Button>
              <Button
                size="sm"
                variant="primary"
                isBusy={save.isPending}
                disabled={!draft || save.isPending || issues.size > 0}
                onClick={() => draft && save.mutate(toSourcesInput(draft))}
              >
                Save sources
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
