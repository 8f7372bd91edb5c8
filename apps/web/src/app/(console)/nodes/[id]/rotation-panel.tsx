"use client";
// Rotate this node's WireGuard key and follow it: the agent reports a new public key, every
// peer picks it up, and each peer's first handshake with the new key marks it done.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge, type TBadgeTone } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { StepList } from "~/components/ui/step-list";
import { formatAgo } from "~/lib/format-values";
import { useNow } from "~/lib/use-now";
import { useTRPC } from "~/trpc/react";

const STATUS_TONES: Record<string, TBadgeTone> = {
  pending: "blue",
  reported: "blue",
  done: "green",
  failed: "red",
};

/** Seconds with one decimal under a minute ("6.4 s"), else minutes and seconds. */
function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** What a running rotation is waiting for, in words, with the peers still missing. */
function describeWait(status: string, waiting: string[]): string {
  if (status === "pending")
    return "Waiting for the agent to pick up the request from its config stream, make the new key pair and report the public key.";
  if (waiting.length === 0) return "Waiting for the last peer report.";
  return `The new key went to every peer; waiting for the first WireGuard handshake with it from ${waiting.join(", ")} (each peer's next report shows it).`;
}

const STATUS_LABELS: Record<string, string> = {
  pending: "waiting for the agent's new key",
  reported: "peers switching to the new key",
  done: "done",
  failed: "failed",
};

/** The key rotation card of the node page. */
export function RotationPanel({ nodeId, canEdit }: { nodeId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rotations = useQuery(
    trpc.key.listRotations.queryOptions(
      { nodeId, limit: 5 },
      {
        refetchInterval: (query) => {
          const status = query.state.data?.[0]?.status;
          return status === "pending" || status === "reported" ? 1_000 : 10_000;
        },
      },
    ),
  );
  const rotate = useMutation(
    trpc.key.rotate.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries(trpc.key.listRotations.queryFilter({ nodeId })),
    }),
  );
  const latest = rotations.data?.[0];
  const isRunning = latest?.status === "pending" || latest?.status === "reported";
  const now = useNow(1_000);
  return (
    <Card
      title="WireGuard key"
      actions={
        canEdit && (
          <Button
            size="sm"
            isBusy={rotate.isPending}
            disabled={isRunning}
            onClick={() => rotate.mutate({ nodeId })}
          >
            Rotate key
          </Button>
        )
      }
    >
      {rotate.error && (
        <p role="alert" className="mb-2 text-xs text-red-600">
          {rotate.error.message}
        </p>
      )}
      {!latest ? (
        <p className="text-sm text-slate-500">
          No rotation yet. Rotating makes the agent generate a new key pair on the server (the
          private key never leaves it); tunnels switch over without dropping BGP.
        </p>
      ) : (
        <div className="space-y-3" data-testid="rotation" data-status={latest.status}>
          <div className="flex items-center justify-between gap-2">
            <Badge tone={STATUS_TONES[latest.status] ?? "slate"} hasDot>
              {STATUS_LABELS[latest.status] ?? latest.status}
            </Badge>
            <span className="text-xs text-slate-500" data-testid="rotation-timing">
              {latest.status === "done" && latest.completedAt
                ? `took ${formatElapsed(new Date(latest.completedAt).getTime() - new Date(latest.requestedAt).getTime())}`
                : isRunning
                  ? `running for ${formatElapsed(now - new Date(latest.requestedAt).getTime())}`
                  : `requested ${formatAgo(latest.requestedAt, now)}`}
            </span>
          </div>
          {isRunning && (
            <p className="text-xs text-slate-600" data-testid="rotation-waiting-for">
              {describeWait(
                latest.status,
                latest.peers
                  .filter((p) => p.state === "waiting")
                  .map((p) => p.peerName ?? p.peerId),
              )}
            </p>
          )}
          <div
            role="progressbar"
            aria-label="Rotation progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(latest.progress * 100)}
            className="h-1.5 overflow-hidden rounded-full bg-slate-100"
          >
            <div
              className={`h-full transition-all ${latest.status === "failed" ? "bg-red-500" : "bg-emerald-500"}`}
              style={{ width: `${Math.round(latest.progress * 100)}%` }}
            />
          </div>
          {latest.error && <p className="text-xs text-red-600">{latest.error}</p>}
          {latest.peers.length > 0 && (
            <StepList
              label="Rotation progress per peer"
              items={latest.peers.map((p) => ({
                id: p.peerId,
                label: p.peerName ?? p.peerId,
                status:
                  p.state === "waiting"
                    ? isRunning
                      ? "running"
                      : "pending"
                    : p.state === "done"
                      ? "done"
                      : "failed",
                detail: p.state === "waiting" ? "waiting for a handshake with the new key" : null,
              }))}
            />
          )}
          {latest.newPublicKey && (
            <p className="font-mono text-[11px] break-all text-slate-500">
              new key {latest.newPublicKey}
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
