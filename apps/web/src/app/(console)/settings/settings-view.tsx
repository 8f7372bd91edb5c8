"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCurrentUser } from "~/components/shell/app-shell";
import { Button } from "~/components/ui/button";
import { CodeBlock } from "~/components/ui/code-block";
import { TextField } from "~/components/ui/form-field";
import { PageHeader } from "~/components/ui/page-header";
import { Card } from "~/components/ui/card";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { formatTimestamp } from "~/lib/format-values";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";
import { RouteSourcesSettings } from "./route-sources-settings";

type TSettingsForm = Record<
  | "ipv4Pool"
  | "ipv6Pool"
  | "asnMin"
  | "asnMax"
  | "basePort"
  | "underlayMtu"
  | "tunnelMtu"
  | "healthIntervalSec"
  | "staleAfterSec",
  string
>;

const NUMBER_FIELDS = [
  "asnMin",
  "asnMax",
  "basePort",
  "underlayMtu",
  "healthIntervalSec",
  "staleAfterSec",
] as const;

/** The settings form (read-only for viewers); refusals from the API show at the top. */
export function SettingsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useCurrentUser();
  const settings = useQuery(trpc.settings.get.queryOptions());
  const [form, setForm] = useState<TSettingsForm | null>(null);
  const [metricsToken, setMetricsToken] = useState<string | null>(null);
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: async (result) => {
        setForm(null);
        if (result.metricsToken) setMetricsToken(result.metricsToken);
        await queryClient.invalidateQueries(trpc.settings.get.queryFilter());
      },
    }),
  );
  if (settings.error)
    return (
      <div className="px-4 md:px-8 py-6">
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      </div>
    );
  if (!settings.data)
    return (
      <div className="px-4 md:px-8 py-6">
        <LoadingState label="Loading settings" />
      </div>
    );
  const s = settings.data;
  const values: TSettingsForm = form ?? {
    ipv4Pool: s.ipv4Pool,
    ipv6Pool: s.ipv6Pool,
    asnMin: String(s.asnMin),
    asnMax: String(s.asnMax),
    basePort: String(s.basePort),
    underlayMtu: String(s.underlayMtu),
    tunnelMtu: s.tunnelMtu == null ? "" : String(s.tunnelMtu),
    healthIntervalSec: String(s.healthIntervalSec),
    staleAfterSec: String(s.staleAfterSec),
  };
  const fields = readFieldErrors(update.error);
  const field = (key: keyof TSettingsForm, label: string, hint?: string) => (
    <TextField
      id={`settings-${key}`}
      label={label}
      hint={hint}
      value={values[key]}
      disabled={!canEdit}
      error={fields[key]}
      onChange={(e) => {
        update.reset();
        setForm({ ...values, [key]: e.target.value });
      }}
    />
  );
  const save = () => {
    const patch: Record<string, string | number | null> = {};
    if (values.ipv4Pool !== s.ipv4Pool) patch.ipv4Pool = values.ipv4Pool;
    if (values.ipv6Pool !== s.ipv6Pool) patch.ipv6Pool = values.ipv6Pool;
    for (const key of NUMBER_FIELDS)
      if (Number(values[key]) !== s[key]) patch[key] = Number(values[key]);
    const tunnelMtu = values.tunnelMtu.trim() === "" ? null : Number(values.tunnelMtu);
    if (tunnelMtu !== s.tunnelMtu) patch.tunnelMtu = tunnelMtu;
    update.mutate(patch);
  };
  return (
    <div className="max-w-4xl px-4 md:px-8 py-6">
      <PageHeader
        title="Settings"
        description={`Mesh-wide settings · mesh version ${s.meshVersion} · changed ${formatTimestamp(s.updatedAt)}`}
      />
      {update.error && Object.keys(fields).length === 0 && (
        <p
          role="alert"
          className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700"
        >
          {update.error.message}
        </p>
      )}
      <div className="space-y-4">
        <Card title="Address plan">
          <div className="grid grid-cols-2 gap-4">
            {field("ipv4Pool", "IPv4 pool", "One /32 per node from this range.")}
            {field("ipv6Pool", "IPv6 pool", "A ULA prefix; one /128 per node.")}
            {field("asnMin", "ASN range start", "Private 32-bit ASNs (RFC 6996).")}
            {field("asnMax", "ASN range end")}
          </div>
        </Card>
        <Card title="Tunnels">
          <div className="grid grid-cols-3 gap-4">
            {field("basePort", "Base port", "Peer B's tunnel on A listens on base + B's index.")}
            {field("underlayMtu", "Underlay MTU", "Assumed path MTU until measured.")}
            {field("tunnelMtu", "Fixed tunnel MTU", "Empty: underlay − 80 (IPv6) / − 60 (IPv4).")}
          </div>
        </Card>
        <Card title="Health">
          <div className="grid grid-cols-3 gap-4">
            {field("healthIntervalSec", "Report interval (s)")}
            {field("staleAfterSec", "Offline after (s)", "A node silent this long shows offline.")}
          </div>
        </Card>
        <RouteSourcesSettings
          canEdit={canEdit}
          pools={{ ipv4Pool: s.ipv4Pool, ipv6Pool: s.ipv6Pool }}
        />
        <Card
          title="Metrics"
          actions={
            canEdit && (
              <div className="flex gap-2">
                <Button size="sm" onClick={() => update.mutate({ metricsToken: "generate" })}>
                  {s.hasMetricsToken ? "Replace token" : "Generate token"}
                </Button>
                {s.hasMetricsToken && (
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => update.mutate({ metricsToken: "clear" })}
                  >
                    Clear
                  </Button>
                )}
              </div>
            )
          }
        >
          <p className="text-sm text-slate-600">
            <code className="font-mono text-xs">/api/metrics</code> (Prometheus){" "}
            {s.hasMetricsToken
              ? "requires a bearer token."
              : "answers localhost only (no token set)."}
          </p>
          {metricsToken && (
            <div className="mt-3 space-y-1">
              <p className="text-xs text-slate-500">New token, shown once:</p>
              <CodeBlock text={metricsToken} />
            </div>
          )}
        </Card>
      </div>
      {canEdit && (
        <div className="sticky bottom-0 mt-4 flex justify-end gap-2 border-t border-slate-200 bg-slate-50/95 py-3">
          <Button
            disabled={!form}
            onClick={() => {
              update.reset();
              setForm(null);
            }}
          >
            Discard
          </Button>
          <Button variant="primary" disabled={!form} isBusy={update.isPending} onClick={save}>
            Save settings
          </Button>
        </div>
      )}
    </div>
  );
}
