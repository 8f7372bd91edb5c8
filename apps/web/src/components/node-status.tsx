import type { RouterOutputs } from "@meshover/api";
import { Badge } from "~/components/ui/badge";

/** A node as the API lists it. */
type TNodeSummary = RouterOutputs["node"]["list"][number];

/** Online / offline / never reported, as a badge. */
export function NodeStatusBadge({
  isOnline,
  lastSeenAt,
}: {
  isOnline: boolean;
  lastSeenAt: TNodeSummary["lastSeenAt"];
}) {
  if (isOnline)
    return (
      <Badge tone="green" hasDot>
        online
      </Badge>
    );
  return (
    <Badge tone={lastSeenAt ? "red" : "slate"} hasDot>
      {lastSeenAt ? "offline" : "never seen"}
    </Badge>
  );
}

/**
 * Applied vs desired config version. An online node without an apply error that is behind is
 * applying (normal propagation: blue, not a warning); drift (amber) is a node that is behind
 * and not reporting, and an apply error is red.
 */
export function ConfigDriftBadge({
  applied,
  desired,
  applyError,
  isOnline,
}: {
  applied: number | null;
  desired: number;
  applyError: string | null;
  isOnline: boolean;
}) {
  if (applyError)
    return (
      <span title={applyError}>
        <Badge tone="red">
          apply failed · v{applied ?? "–"}/{desired}
        </Badge>
      </span>
    );
  if (applied === desired) return <Badge tone="green">in sync · v{desired}</Badge>;
  if (isOnline)
    return (
      <Badge tone="blue">
        applying · v{applied ?? "–"} → v{desired}
      </Badge>
    );
  return (
    <Badge tone="amber">
      drift · v{applied ?? "–"}/{desired}
    </Badge>
  );
}
