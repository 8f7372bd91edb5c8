// `meshover-agent status`: a readable table of peers from the status file `run` keeps.
import { z } from "zod";
import type { StateStore } from "../state/state-store";

const ZStatus = z.object({
  updatedAt: z.string(),
  name: z.string(),
  configVersion: z.number().nullable(),
  appliedVersion: z.number().nullable(),
  applyError: z.string().nullable(),
  /** Set while the controller refuses this node (removed, or credential revoked). */
  controllerError: z.string().nullable().optional(),
  peers: z.array(
    z.object({
      name: z.string(),
      interface: z.string(),
      handshakeAt: z.string().nullable(),
      bgpState: z.string().nullable(),
      bfdState: z.string().nullable(),
      mtuConfigured: z.number().nullable(),
      mtuMeasured: z.number().nullable(),
      rttMs: z.number().nullable(),
      prefixesReceived: z.number().nullable(),
    }),
  ),
});

function formatAge(iso: string | null, now: number): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

/** Render rows as an aligned text table. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The status text for `status`. */
export function renderStatus(store: StateStore, now: number): string {
  const identity = store.readIdentity();
  if (!identity) return `not joined (no identity in ${store.dir})`;
  const raw = store.readStatus();
  const parsed = raw === null ? null : ZStatus.safeParse(raw);
  if (!parsed?.success)
    return `node ${identity.name} (${identity.nodeId}): no status yet (is run active?)`;
  const status = parsed.data;
  const head = [
    `node ${status.name}  config v${status.configVersion ?? "-"}  applied v${status.appliedVersion ?? "-"}  updated ${formatAge(status.updatedAt, now)} ago`,
    status.applyError ? `last apply error: ${status.applyError}` : "",
    status.controllerError
      ? `the controller refuses this node (removed or credential revoked): ${status.controllerError}\n` +
        "tunnels are kept; set a new credential with set-credential, or run leave"
      : "",
  ].filter(Boolean);
  const rows = status.peers.map((peer) => [
    peer.name,
    peer.interface,
    formatAge(peer.handshakeAt, now),
    peer.bgpState ?? "-",
    peer.bfdState ?? "-",
    peer.prefixesReceived === null ? "-" : String(peer.prefixesReceived),
    `${peer.mtuConfigured ?? "-"}/${peer.mtuMeasured ?? "-"}`,
    peer.rttMs === null ? "-" : `${peer.rttMs.toFixed(2)}ms`,
  ]);
  return [
    ...head,
    formatTable(
      ["PEER", "TUNNEL", "HANDSHAKE", "BGP", "BFD", "PREFIXES", "MTU cfg/meas", "RTT"],
      rows,
    ),
  ].join("\n");
}
