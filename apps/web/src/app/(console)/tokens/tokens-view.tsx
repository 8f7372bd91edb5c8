"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCurrentUser } from "~/components/shell/app-shell";
import { Badge, type TBadgeTone } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { CodeBlock } from "~/components/ui/code-block";
import { ConfirmDialog, Dialog } from "~/components/ui/dialog";
import { TextField } from "~/components/ui/form-field";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState, ErrorState, LoadingState } from "~/components/ui/states";
import { Table, Td, Th, Tr } from "~/components/ui/table";
import { formatAgo, formatTimestamp } from "~/lib/format-values";
import { formatInstallCommand } from "~/lib/format-join-command";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";

const TTL_CHOICES = [
  { label: "15 minutes", sec: 15 * 60 },
  { label: "1 hour", sec: 3600 },
  { label: "24 hours", sec: 86_400 },
  { label: "7 days", sec: 7 * 86_400 },
] as const;

type TTokenRow = { id: string; hint: string };

const STATUS_TONES: Record<string, TBadgeTone> = {
  active: "green",
  used: "blue",
  expired: "slate",
  revoked: "slate",
};

function CreateTokenDialog({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [nodeName, setNodeName] = useState("");
  const [uses, setUses] = useState("1");
  const [ttlSec, setTtlSec] = useState<number>(3600);
  const create = useMutation(
    trpc.token.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.token.list.queryFilter()),
    }),
  );
  const fields = readFieldErrors(create.error);
  const close = () => {
    create.reset();
    setNodeName("");
    onClose();
  };
  return (
    <Dialog
      isOpen={isOpen}
      onClose={close}
      title={create.data ? "Token created" : "Create enrollment token"}
      footer={
        create.data ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button
              variant="primary"
              isBusy={create.isPending}
              onClick={() =>
                create.mutate({
                  nodeName: nodeName.trim() || undefined,
                  usesAllowed: Number(uses),
                  ttlSec,
                })
              }
            >
              Create
            </Button>
          </>
        )
      }
    >
      {create.data ? (
        <div className="space-y-3">
          <p>Copy it now: it is shown only once.</p>
          <CodeBlock testId="created-token" text={create.data.token} />
          <p className="text-xs text-slate-500">
            On the new server (it asks for the token; Add server lets you set the controller URL):
          </p>
          <CodeBlock text={formatInstallCommand({ controllerUrl: window.location.origin })} />
        </div>
      ) : (
        <div className="space-y-3">
          <TextField
            id="new-token-node"
            label="Node name (optional)"
            placeholder="the server's host name"
            value={nodeName}
            onChange={(e) => setNodeName(e.target.value)}
            error={fields.nodeName}
          />
          <div className="grid grid-cols-2 gap-3">
            <TextField
              id="new-token-uses"
              label="Uses"
              type="number"
              min={1}
              max={100}
              value={uses}
              onChange={(e) => setUses(e.target.value)}
              error={fields.usesAllowed}
            />
            <div>
              <label
                htmlFor="new-token-ttl"
                className="mb-1 block text-xs font-medium text-slate-700"
              >
                Valid for
              </label>
              <select
                id="new-token-ttl"
                value={ttlSec}
                onChange={(e) => setTtlSec(Number(e.target.value))}
                className="block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              >
                {TTL_CHOICES.map((c) => (
                  <option key={c.sec} value={c.sec}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {create.error && Object.keys(fields).length === 0 && (
            <p role="alert" className="text-xs text-red-600">
              {create.error.message}
            </p>
          )}
        </div>
      )}
    </Dialog>
  );
}

/** The tokens page body. */
export function TokensView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useCurrentUser();
  const [isCreating, setIsCreating] = useState(false);
  const [revoking, setRevoking] = useState<TTokenRow | null>(null);
  const tokens = useQuery(trpc.token.list.queryOptions(undefined, { refetchInterval: 5_000 }));
  const revoke = useMutation(
    trpc.token.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.token.list.queryFilter());
        setRevoking(null);
      },
    }),
  );
  const now = tokens.dataUpdatedAt || 0;
  return (
    <div className="px-4 md:px-8 py-6">
      <PageHeader
        title="Enrollment tokens"
        description="A token lets one server join the mesh. Only its hash is stored; the token itself is shown once."
        actions={
          canEdit && (
            <Button variant="primary" onClick={() => setIsCreating(true)}>
              Create token
            </Button>
          )
        }
      />
      {tokens.error ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : !tokens.data ? (
        <LoadingState label="Loading tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState
          title="No tokens yet"
          description="Create a token, then run the join command it comes with on the new server."
        />
      ) : (
        <Table label="Tokens">
          <thead>
            <tr>
              <Th>Token</Th>
              <Th>Node name</Th>
              <Th>Status</Th>
              <Th>Uses</Th>
              <Th>Expires</Th>
              <Th>Created</Th>
              {canEdit && <Th className="text-right">Actions</Th>}
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => {
              const status = { label: token.status, tone: STATUS_TONES[token.status] ?? "slate" };
              return (
                <Tr key={token.id} data-testid={`token-row-${token.hint}`}>
                  <Td className="font-mono text-xs">{token.hint}…</Td>
                  <Td>{token.nodeName ?? <span className="text-slate-400">any</span>}</Td>
                  <Td>
                    <Badge tone={status.tone} hasDot>
                      {status.label}
                    </Badge>
                  </Td>
                  <Td className="tabular-nums">
                    {token.usesCount}/{token.usesAllowed}
                  </Td>
                  <Td title={formatTimestamp(token.expiresAt)}>
                    {formatTimestamp(token.expiresAt)}
                  </Td>
                  <Td title={formatTimestamp(token.createdAt)}>
                    {formatAgo(token.createdAt, now)}
                  </Td>
                  {canEdit && (
                    <Td className="text-right">
                      {status.label === "active" && (
                        <Button size="sm" variant="ghost" onClick={() => setRevoking(token)}>
                          Revoke
                        </Button>
                      )}
                    </Td>
                  )}
                </Tr>
              );
            })}
          </tbody>
        </Table>
      )}
      <CreateTokenDialog isOpen={isCreating} onClose={() => setIsCreating(false)} />
      <ConfirmDialog
        isOpen={revoking != null}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate({ tokenId: revoking.id })}
        title="Revoke token?"
        confirmLabel="Revoke"
        isBusy={revoke.isPending}
        error={revoke.error?.message}
      >
        Token <code className="font-mono">{revoking?.hint}…</code> will stop working at once.
        Servers that already joined with it are not affected.
      </ConfirmDialog>
    </div>
  );
}
