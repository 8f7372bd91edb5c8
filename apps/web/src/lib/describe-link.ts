// How the dashboard judges one tunnel from what both ends reported. Pure (time is an input) so
// the colours and warnings on the topology graph are unit-tested, not eyeballed.

import type { RouterOutputs } from "@meshover/api";

/** What one node last reported about its tunnel to one peer (one direction of a link). */
export type TLinkDirection = NonNullable<
  RouterOutputs["topology"]["get"]["edges"][number]["sourceToTarget"]
>;

/** The overall BGP state of a link, which colours its edge. */
export type TLinkVerdict = "established" | "connecting" | "down";

/** One problem worth a warning on the edge. */
export type TLinkIssue = {
  kind: "mtu" | "bfd" | "handshake" | "report";
  message: string;
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

function isEstablished(state: string | null) {
  return state?.toLowerCase() === "established";
}

function isDownState(state: string | null) {
  return state == null || ["idle", "down", ""].includes(state.toLowerCase());
}

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

  let state: TLinkVerdict;
  if (fresh.length === 0) state = "down";
  else if (fresh.every((d) => isEstablished(d.dir.bgpState))) state = "established";
  else if (fresh.every((d) => isDownState(d.dir.bgpState))) state = "down";
  else state = "connecting";

  for (const { dir, name } of named) {
    if (dir == null) issues.push({ kind: "report", message: `no report from ${name}` });
    else if (!fresh.some((d) => d.dir === dir))
      issues.push({ kind: "report", message: `${name}'s report is stale` });
  }
  for (const { dir, name } of fresh) {
    if (dir.mtuMeasured != null && dir.mtuConfigured != null && dir.mtuMeasured < dir.mtuConfigured)
      issues.push({
        kind: "mtu",
        message: `${name}: path MTU ${dir.mtuMeasured} below configured ${dir.mtuConfigured}`,
      });
    if (dir.bfdState != null && dir.bfdState.toLowerCase() !== "up")
      issues.push({ kind: "bfd", message: `${name}: BFD ${dir.bfdState}` });
    const handshakeAge = dir.handshakeAt == null ? null : (now - dir.handshakeAt.getTime()) / 1000;
    if (handshakeAge == null)
      issues.push({ kind: "handshake", message: `${name}: no WireGuard handshake yet` });
    else if (handshakeAge > STALE_HANDSHAKE_SEC)
      issues.push({
        kind: "handshake",
        message: `${name}: last handshake ${Math.round(handshakeAge)} s ago`,
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
