"use client";
// The route sources form (a node's own or the mesh default): interfaces by name or glob,
// excluded interfaces, kernel route protocols, the Cilium pod CIDR, BGP speakers behind the
// node. Errors come from the same netcfg checks the controller runs, keyed by field.
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { TextField } from "~/components/ui/form-field";
import { readListIssues, type TSourcesDraft } from "~/lib/routing-draft";

const SMALL_INPUT = "w-full rounded-md border px-2 py-1 font-mono text-xs";

function ListErrors({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul id={id} role="alert" className="mt-1 space-y-0.5 text-xs text-red-600">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

/** Editable route sources; `base` is the issues' key prefix (`sources.` on a node). */
export function RouteSourcesFields({
  idPrefix,
  draft,
  onChange,
  issues,
  base,
  disabled = false,
}: {
  idPrefix: string;
  draft: TSourcesDraft;
  onChange: (next: TSourcesDraft) => void;
  issues: ReadonlyMap<string, string>;
  base: string;
  disabled?: boolean;
}) {
  const [nextKey, setNextKey] = useState(5000);
  const listField = (
    key: "interfaces" | "excludeInterfaces" | "kernelProtocols",
    label: string,
    hint: string,
    placeholder: string,
  ) => {
    const messages = readListIssues(issues, `${base}${key}`, draft[key]);
    return (
      <div>
        <TextField
          id={`${idPrefix}-${key}`}
          label={label}
          hint={messages.length === 0 ? hint : undefined}
          placeholder={placeholder}
          value={draft[key]}
          disabled={disabled}
          aria-invalid={messages.length > 0 || undefined}
          className={messages.length > 0 ? "[&_input]:border-red-400" : undefined}
          onChange={(e) => onChange({ ...draft, [key]: e.target.value })}
        />
        <ListErrors id={`${idPrefix}-${key}-error`} messages={messages} />
      </div>
    );
  };
  const speakerIssue = (i: number, field: string) => issues.get(`${base}speakers.${i}.${field}`);
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        {listField(
          "interfaces",
          "Interfaces",
          "Names or globs whose addresses are picked up (kube-lb0, virbr*, vmbr1).",
          "kube-lb0, virbr*",
        )}
        {listField(
          "excludeInterfaces",
          "Also exclude",
          "On top of mo*, lo, wg*, tailscale*, cilium_*, lxc*, kube-ipvs0, docker0.",
          "virbr9",
        )}
        {listField(
          "kernelProtocols",
          "Kernel route protocols",
          "static, boot, dhcp, bird or a number; never kernel.",
          "static, bird",
        )}
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input
          type="checkbox"
          checked={draft.ciliumPodCidr}
          disabled={disabled}
          onChange={(e) => onChange({ ...draft, ciliumPodCidr: e.target.checked })}
        />
        Cilium pod CIDR (the route into cilium_host that holds its own address)
      </label>
      <div>
        <p className="mb-1 text-xs font-medium text-slate-700">BGP speakers behind the node</p>
        {draft.speakers.length === 0 ? (
          <p className="text-xs text-slate-500">
            None. A speaker in its own namespace, VM or container peers with the node from its
            listen range; nothing of the mesh is sent to it.
          </p>
        ) : (
          <table className="w-full text-sm" aria-label="BGP speakers">
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <th className="pb-1 font-medium">Listen range</th>
                <th className="pb-1 font-medium">ASN</th>
                <th className="pb-1 font-medium">Max prefixes</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {draft.speakers.map((speaker, i) => {
                const update = (patch: Partial<(typeof draft.speakers)[number]>) =>
                  onChange({
                    ...draft,
                    speakers: draft.speakers.map((s) =>
                      s.key === speaker.key ? { ...s, ...patch } : s,
                    ),
                  });
                return (
                  <tr key={speaker.key} className="align-top">
                    {(["listenRange", "asn", "maxPrefixes"] as const).map((field) => {
                      const message = speakerIssue(i, field);
                      return (
                        <td key={field} className="py-1 pr-2">
                          <input
                            aria-label={`Speaker ${field === "listenRange" ? "listen range" : field === "asn" ? "ASN" : "max prefixes"}`}
                            aria-invalid={message ? true : undefined}
                            value={speaker[field]}
                            disabled={disabled}
                            onChange={(e) => update({ [field]: e.target.value })}
                            className={`${SMALL_INPUT} ${message ? "border-red-400 bg-red-50" : "border-slate-300"}`}
                          />
                          {message && (
                            <p role="alert" className="mt-1 text-xs text-red-600">
                              {message}
                            </p>
                          )}
                        </td>
                      );
                    })}
                    <td className="py-1 text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={disabled}
                        aria-label={`Remove speaker ${speaker.listenRange || i + 1}`}
                        onClick={() =>
                          onChange({
                            ...draft,
                            speakers: draft.speakers.filter((s) => s.key !== speaker.key),
                          })
                        }
                      >
                        ✕
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {!disabled && (
          <Button
            size="sm"
            className="mt-2"
            onClick={() => {
              onChange({
                ...draft,
                speakers: [
                  ...draft.speakers,
                  { key: nextKey, listenRange: "", asn: "", maxPrefixes: "100" },
                ],
              });
              setNextKey(nextKey + 1);
            }}
          >
            Add speaker
          </Button>
        )}
      </div>
    </div>
  );
}
