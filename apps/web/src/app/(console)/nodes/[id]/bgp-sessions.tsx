"use client";
// This node's tunnels and BGP sessions, from the latest reports of both ends.
import { Badge } from "~/components/ui/badge";
import { Card } from "~/components/ui/card";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { type TLinkDirection, describeLink } from "~/lib/describe-link";
import { formatAgo, formatDuration, formatMs } from "~/lib/format-values";

/** One session row: this node's view of its tunnel to a peer, and the peer's view back. */
export type TSessionRow = {
  peerId: string;
  peerName: string;
  mine: TLinkDirection | null;
  theirs: TLinkDirection | null;
};

const TONES = { established: "green", connecting: "amber", down: "red" } as const;

/** BGP sessions table of the node page. */
export function BgpSessions({
  rows,
  now,
  staleAfterSec,
}: {
  rows: TSessionRow[];
  now: number;
  staleAfterSec: number;
}) {
  return (
    <Card title="BGP sessions">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">
          No peers yet: sessions appear when a second node joins.
        </p>
      ) : (
        <div className="-m-4">
          <Table label="BGP sessions">
            <thead>
              <tr>
                <Th>Peer</Th>
                <Th>BGP</Th>
                <Th>Uptime</Th>
                <Th>BFD</Th>
                <Th>Prefixes rcvd</Th>
                <Th>Handshake</Th>
                <Th>MTU meas./conf.</Th>
                <Th>RTT</Th>
                <Th>Warnings</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const summary = describeLink({
                  forward: row.mine,
                  reverse: row.theirs,
                  now,
                  staleAfterSec,
                  sourceName: "this node",
                  targetName: row.peerName,
                });
                const d = row.mine;
                return (
                  <Tr key={row.peerId}>
                    <Td className="font-medium">{row.peerName}</Td>
                    <Td>
                      <Badge tone={TONES[summary.state]} hasDot>
                        {d?.bgpState ?? summary.state}
                      </Badge>
                    </Td>
                    <Td>{d?.bgpUptimeSec == null ? "—" : formatDuration(d.bgpUptimeSec)}</Td>
                    <Td>{d?.bfdState ?? "—"}</Td>
                    <Td className="tabular-nums">{d?.prefixesReceived ?? "—"}</Td>
                    <Td>{d ? formatAgo(d.handshakeAt, now) : "—"}</Td>
                    <Td className="font-mono text-xs">
                      {d ? `${d.mtuMeasured ?? "?"}/${d.mtuConfigured ?? "?"}` : "—"}
                    </Td>
                    <Td className="tabular-nums">{formatMs(d?.rttMs)}</Td>
                    <Td className="max-w-xs text-xs text-amber-800">
                      {summary.issues.map((i) => i.message).join("; ") || (
                        <span className="text-slate-400">none</span>
                      )}
                    </Td>
                  </Tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      )}
    </Card>
  );
}
