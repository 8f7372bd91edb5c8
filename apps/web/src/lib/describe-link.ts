// How the dashboard judges one tunnel from what both ends reported. Pure (time is an input) so
// the colours and warnings on the topology graph are unit-tested, not eyeballed.

import type { RouterOutputs } from "@meshover/api";
import { classifyLinkState, type TLinkVerdict } from "./classify-link-state";
import { formatDuration } from "./format-values";

export type { TLinkVerdict } from "./classify-link-state";

/** What one node last reported about its tunnel to one peer (one direction of a link). */
export type TLinkDirection = NonNullable<
  RouterOutputs["topology"]["get"]["edges"][number]["sourceToTarget"]
>;

/** One problem worth a warning on the edge. */
export type TLinkIssue = {
  kind: "mtu" | "bfd" | "handshake" | "report";
  message: string;
  /** A few words for the edge label ("BFD down", "handshake 4 min old"). */
  label: string;
};

/** The verdict on a link: state, issues and the figures for its label. */
export type TLinkSummary = {
  state: TLinkVerdict;
  issues: TLinkIssue[];
  mtuConfigured: number | null;
  mtuMeasured: number | null;
  rttMs: number | null;
};

/** WireGuard re-handshakes every 2 min while traffic flows (BGP keepalives are traffic). */
export const STALE_HANDSHAKE_SEC = 180;

/**
 * Summarise a link from its two directions (either may be missing). `staleAfterSec` is how
 * old a report may be before the link counts as unknown/down.
 */
export function describeLink(options: {
  forward: TLinkDirection | null;
  reverse: TLinkDirection | null;
  now: number;
  staleAfterSec: number;
  sourceName?: string;
  targetName?: string;
  /** The link was seen Established before (Connect/Active now means broken, not new). */
  wasEstablished?: boolean;
}): TLinkSummary {
  const { now, staleAfterSec } = options;
  const named = [
    { dir: options.forward, name: options.sourceName ?? "source" },
    { dir: options.reverse, name: options.targetName ?? "target" },
  ];
  const fresh = named.filter(
    (d): d is { dir: TLinkDirection; name: string } =>
      d.dir != null && now - d.dir.at.getTime() <= staleAfterSec * 1000,
  );
  const issues: TLinkIssue[] = [];

  const state: TLinkVerdict = classifyLinkState({
    ends: named.map((d) => ({
      bgpState: d.dir?.bgpState ?? null,
      at: d.dir ? new Date(d.dir.at).getTime() : null,
      isFresh: fresh.some((f) => f.dir === d.dir),
    })),
    wasEstablished: options.wasEstablished ?? false,
  });

  for (const { dir, name } of named) {
    if (dir == null)
      issues.push({ kind: "report", message: `no report from ${name}`, label: "no report" });
    else if (!fresh.some((d) => d.dir === dir))
      issues.push({
        kind: "report",
        message: `${name}'s report is stale`,
        label: `${name} silent`,
      });
  }
  for (const { dir, name } of fresh) {
    if (dir.mtuMeasured != null && dir.mtuConfigured != null && dir.mtuMeasured < dir.mtuConfigured)
      issues.push({
        kind: "mtu",
        message: `${name}: path MTU ${dir.mtuMeasured} below configured ${dir.mtuConfigured}`,
        label: `MTU ${dir.mtuMeasured}/${dir.mtuConfigured}`,
      });
    if (dir.bfdState != null && dir.bfdState.toLowerCase() !== "up")
      issues.push({
        kind: "bfd",
        message: `${name}: BFD ${dir.bfdState}`,
        label: `BFD ${dir.bfdState.toLowerCase()}`,
      });
    const handshakeAge = dir.handshakeAt == null ? null : (now - dir.handshakeAt.getTime()) / 1000;
    if (handshakeAge == null)
      issues.push({
        kind: "handshake",
        message: `${name}: no WireGuard handshake yet`,
        label: "no handshake",
      });
    else if (handshakeAge > STALE_HANDSHAKE_SEC)
      issues.push({
        kind: "handshake",
        message: `${name}: last handshake ${Math.round(handshakeAge)} s ago`,
        label: `handshake ${formatDuration(handshakeAge)} old`,
      });
  }

  const pick = (get: (d: TLinkDirection) => number | null, reduce: (xs: number[]) => number) => {
    const values = fresh.map((d) => get(d.dir)).filter((v): v is number => v != null);
    return values.length === 0 ? null : reduce(values);
  };
  return {
    state,
    issues,
    mtuConfigured: pick(
      (d) => d.mtuConfigured,
      (xs) => Math.min(...xs),
    ),
    mtuMeasured: pick(
      (d) => d.mtuMeasured,
      (xs) => Math.min(...xs),
    ),
    rttMs: pick(
      (d) => d.rttMs,
      (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
    ),
  };
}

/**
 * The edge label: the state when not Established, then each distinct warning by name (so a
 * BFD problem never reads like an MTU one), else the MTU and RTT figures.
 */
export function formatLinkLabel(summary: TLinkSummary, formatRtt: (ms: number) => string): string {
  const warnings = [...new Set(summary.issues.map((issue) => issue.label))];
  const state =
    summary.state === "established"
      ? []
      : [summary.state === "down" ? "BGP down" : "BGP connecting"];
  if (state.length + warnings.length > 0) return [...state, ...warnings].join(" · ");
  const mtu =
    summary.mtuConfigured == null
      ? null
      : `MTU ${summary.mtuMeasured ?? "?"}/${summary.mtuConfigured}`;
  return (
    [mtu, summary.rttMs == null ? null : formatRtt(summary.rttMs)].filter(Boolean).join(" · ") ||
    "established"
  );
}
