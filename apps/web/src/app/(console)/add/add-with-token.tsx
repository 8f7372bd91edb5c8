"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { CodeBlock } from "~/components/ui/code-block";
import { TextField } from "~/components/ui/form-field";
import { Card } from "~/components/ui/card";
import { formatJoinCommand } from "~/lib/format-join-command";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";

/** Pins of the controller's self-signed certificate for the join command. */
export type TJoinPins = { certSha256: string; spkiSha256: string };

/** Create a single-use token and show the exact commands to paste on the server. */
export function AddWithToken({ pins = null }: { pins?: TJoinPins | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [nodeName, setNodeName] = useState("");
  const create = useMutation(
    trpc.token.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.token.list.queryFilter()),
    }),
  );
  const fields = readFieldErrors(create.error);
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <div className="space-y-4">
      <Card title="1. Create a single-use enrollment token">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ nodeName: nodeName.trim() || undefined, usesAllowed: 1 });
          }}
        >
          <TextField
            id="token-node-name"
            label="Node name (optional)"
            placeholder="defaults to the server's host name"
            value={nodeName}
            onChange={(e) => setNodeName(e.target.value)}
            error={fields.nodeName}
            className="w-72"
          />
          <Button type="submit" variant="primary" isBusy={create.isPending}>
            Create token
          </Button>
        </form>
        {create.error && !fields.nodeName && (
          <p role="alert" className="mt-2 text-sm text-red-600">
            {create.error.message}
          </p>
        )}
      </Card>
      {create.data && (
        <Card title="2. Run this on the new server">
          <p className="mb-2 text-sm text-slate-600">
            The token is shown once, works once and expires{" "}
            {new Date(create.data.expiresAt).toLocaleString()}. The server needs Node.js 20+,
            WireGuard and FRR.
          </p>
          <CodeBlock
            testId="join-command"
            text={formatJoinCommand({ controllerUrl: origin, token: create.data.token, pins })}
          />
          <p className="mt-3 text-xs text-slate-500">
            To run the agent as a service, see the systemd unit in the docs. The node appears on the
            Nodes page as soon as it reports in.
          </p>
        </Card>
      )}
    </div>
  );
}
