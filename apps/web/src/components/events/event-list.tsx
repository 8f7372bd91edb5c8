"use client";
// The timeline as a list: time, kind, which node (and peer), details. Used per node and
// mesh-wide (the Events page).
import Link from "next/link";
import { Badge } from "~/components/ui/badge";
import { EmptyState } from "~/components/ui/states";
import { formatTimestamp } from "~/lib/format-values";
import { describeEventKind } from "./event-kinds";

/** One timeline entry as events.list returns it. */
export type TEventItem = {
  id: string;
  at: Date | string;
  kind: string;
  nodeId: string;
  nodeName: string | null;
  peerId: string | null;
  peerName: string | null;
  detail: string | null;
};

function NodeName({ id, name }: { id: string; name: string | null }) {
  if (!name) return <span className="font-mono text-slate-400">{id.slice(0, 8)}</span>;
  return (
    <Link href={`/nodes/${id}`} className="font-medium text-slate-800 hover:underline">
      {name}
    </Link>
  );
}

/** Events newest first; `showNode` adds the node column (mesh-wide view). */
export function EventList({ events, showNode }: { events: TEventItem[]; showNode: boolean }) {
  if (events.length === 0)
    return (
      <EmptyState
        title="No events in this period"
        description="Sessions going up or down, handshake gaps, configs applied, joins, removals and key rotations show up here."
      />
    );
  return (
    <ol aria-label="Events" className="divide-y divide-slate-100 text-sm">
      {events.map((event) => {
        const kind = describeEventKind(event.kind);
        return (
          <li
            key={event.id}
            data-kind={event.kind}
            className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5"
          >
            <span className="w-36 shrink-0 font-mono text-xs text-slate-500">
              {formatTimestamp(event.at)}
            </span>
            <Badge tone={kind.tone}>{kind.label}</Badge>
            <span className="text-xs text-slate-600">
              {showNode && <NodeName id={event.nodeId} name={event.nodeName} />}
              {event.peerId && (
                <>
                  {showNode ? " ↔ " : "with "}
                  <NodeName id={event.peerId} name={event.peerName} />
                </>
              )}
              {event.detail && <span className="ml-2 text-slate-500">{event.detail}</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
