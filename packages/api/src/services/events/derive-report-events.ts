// Timeline events from two consecutive health reports of one node: what changed between the
// previous sample of each tunnel and the new one. Pure (times are inputs), so every rule is
// unit-tested; the caller reads the previous state and stores what this returns.

/** WireGuard re-handshakes every 2 min while traffic flows; older means the tunnel is idle or dead. */
export const HANDSHAKE_STALE_SEC = 180;

/** What the timeline records. */
export type TMeshEventKind =
  | "bgp_up"
  | "bgp_down"
  | "bfd_up"
  | "bfd_down"
  | "handshake_stale"
  | "handshake_resumed"
  | "config_applied";

/** One derived event. */
export interface TDerivedEvent {
  at: Date;
  nodeId: string;
  peerId: string | null;
  kind: TMeshEventKind;
  detail: string | null;
}

/** One tunnel as a report (or the stored sample before it) saw it. */
export interface TTunnelState {
  peerId: string;
  /** When this was observed (the report's time). */
  at: Date;
  bgpState: string | null;
  bfdState: string | null;
  handshakeAt: Date | null;
}

function isEstablished(state: string | null) {
  return state?.toLowerCase() === "established";
}

function isHandshakeStale(tunnel: TTunnelState) {
  return (
    tunnel.handshakeAt === null ||
    tunnel.at.getTime() - tunnel.handshakeAt.getTime() > HANDSHAKE_STALE_SEC * 1000
  );
}

/**
 * Events between `previous` and `next` for node `nodeId`. A tunnel seen for the first time
 * yields nothing (no "before" to compare with); BFD turned off (null) is not "down".
 */
export function deriveReportEvents({
  nodeId,
  previous,
  next,
}: {
  nodeId: string;
  previous: { appliedVersion: number | null; tunnels: readonly TTunnelState[] };
  next: { at: Date; appliedVersion: number | null; tunnels: readonly TTunnelState[] };
}): TDerivedEvent[] {
  const events: TDerivedEvent[] = [];
  const push = (peerId: string | null, kind: TMeshEventKind, detail: string | null) =>
    events.push({ at: next.at, nodeId, peerId, kind, detail });
  if (next.appliedVersion !== null && next.appliedVersion !== previous.appliedVersion)
    push(null, "config_applied", `v${next.appliedVersion}`);
  const before = new Map(previous.tunnels.map((tunnel) => [tunnel.peerId, tunnel]));
  for (const tunnel of next.tunnels) {
    const old = before.get(tunnel.peerId);
    if (!old) continue;
    const wasUp = isEstablished(old.bgpState);
    const isUp = isEstablished(tunnel.bgpState);
    if (wasUp !== isUp)
      push(
        tunnel.peerId,
        isUp ? "bgp_up" : "bgp_down",
        `${old.bgpState ?? "none"} → ${tunnel.bgpState ?? "none"}`,
      );
    if (old.bfdState !== null && tunnel.bfdState !== null) {
      const wasBfdUp = old.bfdState.toLowerCase() === "up";
      const isBfdUp = tunnel.bfdState.toLowerCase() === "up";
      if (wasBfdUp !== isBfdUp)
        push(
          tunnel.peerId,
          isBfdUp ? "bfd_up" : "bfd_down",
          `${old.bfdState} → ${tunnel.bfdState}`,
        );
    }
    const wasStale = isHandshakeStale(old);
    const isStale = isHandshakeStale(tunnel);
    if (!wasStale && isStale)
      push(
        tunnel.peerId,
        "handshake_stale",
        tunnel.handshakeAt
          ? `no handshake for ${Math.round((tunnel.at.getTime() - tunnel.handshakeAt.getTime()) / 1000)} s`
          : "no handshake",
      );
    else if (wasStale && !isStale && tunnel.handshakeAt)
      push(
        tunnel.peerId,
        "handshake_resumed",
        old.handshakeAt
          ? `after a ${Math.round((tunnel.handshakeAt.getTime() - old.handshakeAt.getTime()) / 1000)} s gap`
          : "first handshake",
      );
  }
  return events;
}
