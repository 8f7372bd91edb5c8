// How each timeline event kind is named and coloured (list badges and chart markers).
import type { TBadgeTone } from "~/components/ui/badge";

/** Label and tone per event kind; unknown kinds show as they are, grey. */
export const EVENT_KINDS: Record<string, { label: string; tone: TBadgeTone; colour: string }> = {
  bgp_down: { label: "BGP down", tone: "red", colour: "#ef4444" },
  bgp_up: { label: "BGP up", tone: "green", colour: "#10b981" },
  bfd_down: { label: "BFD down", tone: "red", colour: "#f97316" },
  bfd_up: { label: "BFD up", tone: "green", colour: "#22c55e" },
  handshake_stale: { label: "handshake gap", tone: "amber", colour: "#f59e0b" },
  handshake_resumed: { label: "handshake resumed", tone: "green", colour: "#84cc16" },
  config_applied: { label: "config applied", tone: "blue", colour: "#3b82f6" },
  node_joined: { label: "joined", tone: "blue", colour: "#6366f1" },
  node_removed: { label: "removed", tone: "red", colour: "#64748b" },
  prefixes_changed: { label: "prefixes changed", tone: "blue", colour: "#0ea5e9" },
  rotation_started: { label: "key rotation", tone: "blue", colour: "#8b5cf6" },
  rotation_done: { label: "key rotated", tone: "green", colour: "#a855f7" },
};

/** The kind's presentation (a neutral default for kinds this build does not know). */
export function describeEventKind(kind: string) {
  return EVENT_KINDS[kind] ?? { label: kind, tone: "slate" as const, colour: "#94a3b8" };
}
