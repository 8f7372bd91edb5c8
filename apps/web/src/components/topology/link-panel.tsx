"use client";
// Side panel for one selected tunnel: both directions' reports side by side.
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { type TLinkDirection, describeLink } from "~/lib/describe-link";
import { formatAgo, formatBytes, formatDuration, formatMs } from "~/lib/format-values";
import type { TTopologyLink, TTopologyNode } from "./topology-types";

const STATE_TONES = { established: "green", connecting: "amber", down: "red" } as const;

function describeRows(dir: TLinkDirection | null, now: number): string[] {
  if (!dir) return Array<string>(ROW_LABELS.length).fill("—");
  return [
    dir.handshakeAt ? formatAgo(dir.handshakeAt, now) : "never",
    formatBytes(dir.rxBytes),
    formatBytes(dir.txBytes),
    dir.bgpState ?? "—",
    dir.bgpUptimeSec == null ? "—" : formatDuration(dir.bgpUptimeSec),
    dir.bfdState ?? "—",
    dir.prefixesReceived == null ? "—" : String(dir.prefixesReceived),
    dir.prefixesSent == null ? "—" : String(dir.prefixesSent),
    `${dir.mtuMeasured ?? "?"} / ${dir.mtuConfigured ?? "?"}`,
    formatMs(dir.rttMs),
    formatAgo(dir.at, now),
  ];
}

const ROW_LABELS = [
  "Last handshake",
  "Received",
  "Sent",
  "BGP state",
  "BGP uptime",
  "BFD",
  "Prefixes received",
  "Prefixes sent",
  "MTU measured / conf.",
  "RTT",
  "Reported",
];

/** Details of one link, as each end sees it. */
export function LinkPanel({
  link,
  source,
  target,
  now,
  staleAfterSec,
  onClose,
}: {
  link: TTopologyLink;
  source: TTopologyNode | undefined;
  target: TTopologyNode | undefined;
  now: number;
  staleAfterSec: number;
  onClose: () => void;
}) {
  const sourceName = source?.name ?? "?";
  const targetName = target?.name ?? "?";
  const summary = describeLink({
    forward: link.forward,
    reverse: link.reverse,
    now,
    staleAfterSec,
    sourceName,
    targetName,
  });
  const fwd = describeRows(link.forward, now);
  const rev = describeRows(link.reverse, now);
  return (
    <aside
      aria-label="Link details"
      className="flex h-full w-[22rem] shrink-0 flex-col overflow-y-auto border-l border-slate-200 bg-white"
    >
      <div className="flex items-start justify-between border-b border-slate-200 px-4 py-3">
        <div>
          <h2 className="text-sm font-semibold text-slate-900">
            {sourceName} ↔ {targetName}
          </h2>
          <div className="mt-1">
            <Badge tone={STATE_TONES[summary.state]} hasDot>
              {summary.state}
            </Badge>
          </div>
        </div>
        <Button variant="ghost" size="sm" aria-label="Close link details" onClick={onClose}>
          ✕
        </Button>
      </div>
      {summary.issues.length > 0 && (
        <ul className="space-y-1 border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-900">
          {summary.issues.map((issue) => (
            <li key={issue.message}>⚠ {issue.message}</li>
          ))}
        </ul>
      )}
      <table className="w-full text-xs">
        <thead>
          <tr className="border-b border-slate-200 text-left text-slate-500">
            <th className="px-4 py-2 font-medium" />
            <th className="px-2 py-2 font-medium">
              {sourceName} → {targetName}
            </th>
            <th className="px-2 py-2 font-medium">
              {targetName} → {sourceName}
            </th>
          </tr>
        </thead>
        <tbody>
          {ROW_LABELS.map((label, i) => (
            <tr key={label} className="border-b border-slate-100">
              <th className="px-4 py-1.5 text-left font-normal text-slate-500">{label}</th>
              <td className="px-2 py-1.5 font-mono text-slate-800">{fwd[i]}</td>
              <td className="px-2 py-1.5 font-mono text-slate-800">{rev[i]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
