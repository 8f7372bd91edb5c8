"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { EventList } from "~/components/events/event-list";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { PageHeader } from "~/components/ui/page-header";
import { ErrorState, LoadingState } from "~/components/ui/states";
import { useTRPC } from "~/trpc/react";

const PERIODS = [
  { label: "1 h", minutes: 60 },
  { label: "6 h", minutes: 360 },
  { label: "24 h", minutes: 1440 },
] as const;

/** The mesh-wide timeline: every node's events, newest first. */
export function EventsView() {
  const trpc = useTRPC();
  const [minutes, setMinutes] = useState<number>(60);
  const events = useQuery(
    trpc.events.list.queryOptions({ minutes, limit: 500 }, { refetchInterval: 5_000 }),
  );
  return (
    <div className="px-4 py-6 md:px-8">
      <PageHeader
        title="Events"
        description="BGP and BFD up and down, handshake gaps, configs applied, joins, removals and key rotations across the mesh."
        actions={
          <div className="flex gap-1" role="group" aria-label="Period">
            {PERIODS.map((period) => (
              <Button
                key={period.minutes}
                size="sm"
                variant={minutes === period.minutes ? "primary" : "secondary"}
                aria-pressed={minutes === period.minutes}
                onClick={() => setMinutes(period.minutes)}
              >
                {period.label}
              </Button>
            ))}
          </div>
        }
      />
      <Card>
        {events.error ? (
          <ErrorState error={events.error} onRetry={() => void events.refetch()} />
        ) : !events.data ? (
          <LoadingState rows={6} label="Loading events" />
        ) : (
          <EventList events={events.data} showNode />
        )}
      </Card>
    </div>
  );
}
