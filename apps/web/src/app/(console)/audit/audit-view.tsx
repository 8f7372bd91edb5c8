"use client";

import { useQueries } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button } from "~/components/ui/button";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { formatAuditChange } from "~/lib/format-audit-change";
import { formatTimestamp } from "~/lib/format-values";
import { useTRPC } from "~/trpc/react";

const FILTERS = [
  { label: "All", value: "" },
  { label: "Sign-in", value: "auth." },
  { label: "Nodes", value: "node." },
  { label: "Tokens", value: "token." },
  { label: "Keys", value: "key." },
  { label: "Settings", value: "settings." },
  { label: "SSH", value: "ssh." },
] as const;

/** The change as label/value lines. */
function ChangeLines({ change }: { change: unknown }) {
  const lines = formatAuditChange(change);
  if (lines.length === 0) return <span className="text-slate-400">—</span>;
  return (
    <dl className="space-y-0.5">
      {lines.map((line) => (
        <div key={line.label} className="flex gap-1.5">
          <dt className="shrink-0 text-slate-500">{line.label}</dt>
          <dd className="min-w-0 break-words text-slate-800">{line.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `text` once it has not changed for `ms` (search as you type without a request per key). */
function useDebounced(text: string, ms: number) {
  const [value, setValue] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setValue(text), ms);
    return () => clearTimeout(timer);
  }, [text, ms]);
  return value;
}

/** The audit log with an action filter, search and "load more". */
export function AuditView() {
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 300);
  // Pages by cursor (null = newest). Plain queries rather than an infinite query: the API's
  // strict input has no `direction` field, which infinite queries add.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pages = useQueries({
    queries: cursors.map((cursor) =>
      trpc.audit.list.queryOptions(
        { limit: 50, action: action || undefined, query: query || undefined, cursor },
        { refetchInterval: cursor === null ? 10_000 : false },
      ),
    ),
  });
  const failed = pages.find((p) => p.error);
  const isLoaded = pages.every((p) => p.data);
  const items = pages.flatMap((p) => p.data?.items ?? []);
  const nextCursor = pages.at(-1)?.data?.nextCursor ?? null;
  const events = {
    error: failed?.error ?? null,
    data: isLoaded ? items : undefined,
    refetch: () => Promise.all(pages.map((p) => p.refetch())),
  };
  return (
    <div className="px-4 md:px-8 py-6">
      <PageHeader title="Audit log" description="Who changed what, and when. Read only." />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <input
          type="search"
          aria-label="Search the audit log"
          placeholder="Search: node, e-mail, action, prefix…"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setCursors([null]);
          }}
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm sm:w-72"
        />
        <div className="flex flex-wrap gap-1" role="group" aria-label="Filter by action">
          {FILTERS.map((f) => (
            <Button
              key={f.value}
              size="sm"
              variant={action === f.value ? "primary" : "secondary"}
              aria-pressed={action === f.value}
              onClick={() => {
                setAction(f.value);
                setCursors([null]);
              }}
            >
              {f.label}
            </Button>
          ))}
        </div>
      </div>
      {events.error ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : !events.data ? (
        <LoadingState label="Loading audit log" />
      ) : items.length === 0 ? (
        <EmptyState
          title={query || action ? "No matching events" : "Nothing recorded yet"}
          description={
            query || action
              ? "Try another search or filter."
              : "Admin actions appear here as they happen."
          }
        />
      ) : (
        <>
          <Table label="Audit log">
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>Change</Th>
                <Th>IP</Th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <Tr key={e.id}>
                  <Td className="font-mono text-xs whitespace-nowrap text-slate-600">
                    {formatTimestamp(e.at)}
                  </Td>
                  <Td className="text-xs">{e.actorEmail ?? "system"}</Td>
                  <Td>
                    <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{e.action}</code>
                  </Td>
                  <Td className="text-xs text-slate-600">
                    {e.targetType}
                    {(e.targetName ?? e.targetId) && (
                      <span
                        className="ml-1 font-medium text-slate-800"
                        title={e.targetId ?? undefined}
                      >
                        {e.targetName ?? e.targetId?.slice(0, 8)}
                      </span>
                    )}
                  </Td>
                  <Td className="max-w-md min-w-48 text-xs">
                    <ChangeLines change={e.change} />
                  </Td>
                  <Td className="font-mono text-xs text-slate-500">{e.ip ?? "—"}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
          {nextCursor && (
            <div className="mt-3 flex justify-center">
              <Button onClick={() => setCursors([...cursors, nextCursor])}>Load older</Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
