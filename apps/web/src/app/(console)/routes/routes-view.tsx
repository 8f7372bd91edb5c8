"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { Badge } from "~/components/ui/badge";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { formatAgo } from "~/lib/format-values";
import { useNow } from "~/lib/use-now";
import { useTRPC } from "~/trpc/react";

const STATE_TONES = {
  attached: "slate",
  discovered: "slate",
  refused: "red",
  announced: "blue",
  received: "amber",
  installed: "green",
} as const;

/** The fleet route table with a search and a "problems only" filter. */
export function RoutesView() {
  const trpc = useTRPC();
  const routes = useQuery(trpc.routes.list.queryOptions(undefined, { refetchInterval: 5_000 }));
  const now = useNow(5_000);
  const [search, setSearch] = useState("");
  const [isProblemsOnly, setIsProblemsOnly] = useState(false);
  const rows = useMemo(() => {
    const query = search.trim().toLowerCase();
    return (routes.data ?? []).filter(
      (row) =>
        (!isProblemsOnly || row.warnings.length > 0) &&
        (!query ||
          row.cidr.includes(query) ||
          row.origins.some((origin) => origin.name.toLowerCase().includes(query)) ||
          row.policy.some((match) => match.rule.toLowerCase().includes(query))),
    );
  }, [routes.data, search, isProblemsOnly]);
  return (
    <div className="px-4 py-6 md:px-8">
      <PageHeader
        title="Routes"
        description="Every prefix in the mesh: where it comes from, the policy that admitted or refused it on each node, and how far it got, as the nodes report it. Received = the node's FRR accepted it over BGP; installed = its kernel routes it. Nodes whose agent does not report routes count as receiving while their session with the origin is up."
      />
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <input
          type="search"
          aria-label="Search routes"
          placeholder="Prefix, node or rule"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm sm:w-64"
        />
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            checked={isProblemsOnly}
            onChange={(e) => setIsProblemsOnly(e.target.checked)}
          />
          Problems only
        </label>
      </div>
      {routes.error ? (
        <ErrorState error={routes.error} onRetry={() => void routes.refetch()} />
      ) : !routes.data ? (
        <LoadingState label="Loading routes" />
      ) : rows.length === 0 ? (
        <EmptyState
          title={routes.data.length === 0 ? "No routes yet" : "Nothing matches"}
          description={
            routes.data.length === 0
              ? "Each node's addresses appear here once it joins; attach prefixes on a node's page."
              : "Try another search, or clear “Problems only”."
          }
        />
      ) : (
        <Table label="Routes">
          <thead>
            <tr>
              <Th>Prefix</Th>
              <Th>Origin</Th>
              <Th>Source</Th>
              <Th>State</Th>
              <Th>Policy matched</Th>
              <Th>Since</Th>
              <Th>Last change</Th>
              <Th>Flaps (24 h)</Th>
              <Th>Warnings</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Tr key={row.cidr} data-testid={`route-${row.cidr}`}>
                <Td className="font-mono text-xs whitespace-nowrap">{row.cidr}</Td>
                <Td className="text-xs">
                  {row.origins.map((origin, i) => (
                    <span key={origin.nodeId}>
                      {i > 0 && ", "}
                      <Link href={`/nodes/${origin.nodeId}`} className="hover:underline">
                        {origin.name}
                      </Link>
                    </span>
                  ))}
                  {row.isAnycast && <span className="ml-1 text-slate-500">(anycast)</span>}
                </Td>
                <Td className="text-xs whitespace-nowrap text-slate-600">{row.source}</Td>
                <Td className="whitespace-nowrap" data-testid="route-state" data-state={row.state}>
                  <Badge tone={STATE_TONES[row.state]}>{row.state}</Badge>
                  {(row.state === "received" || row.state === "installed") && (
                    <span className="ml-2 text-xs text-slate-600">
                      received by {row.receivedBy} of {row.peerCount} → installed on{" "}
                      {row.installedOn} of {row.peerCount}
                      {!row.isObserved && " (partly from sessions)"}
                    </span>
                  )}
                </Td>
                <Td className="min-w-56 text-xs" data-testid="route-policy">
                  <ul className="space-y-0.5">
                    {row.policy.map((match) => (
                      <li
                        key={`${match.nodeId} ${match.rule}`}
                        data-verdict={match.verdict}
                        className={
                          match.verdict === "refused"
                            ? "text-red-700"
                            : match.verdict === "unknown"
                              ? "text-slate-500"
                              : "text-slate-700"
                        }
                      >
                        <span className="font-medium">{match.name}</span> {match.rule}
                      </li>
                    ))}
                  </ul>
                </Td>
                <Td className="text-xs whitespace-nowrap text-slate-600">
                  {formatAgo(row.firstSeen, now)}
                </Td>
                <Td className="text-xs whitespace-nowrap text-slate-600">
                  {row.lastChange ? formatAgo(row.lastChange, now) : "—"}
                </Td>
                <Td className="text-xs text-slate-600">{row.flaps}</Td>
                <Td className="min-w-48 text-xs text-amber-800">
                  {row.warnings.length === 0 ? (
                    <span className="text-slate-400">—</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {row.warnings.map((warning) => (
                        <li key={warning}>⚠ {warning}</li>
                      ))}
                    </ul>
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
