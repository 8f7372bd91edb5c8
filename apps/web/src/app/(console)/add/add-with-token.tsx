"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { CodeBlock } from "~/components/ui/code-block";
import { TextField } from "~/components/ui/form-field";
import { Card } from "~/components/ui/card";
import { type TCertificatePins, formatInstallCommand } from "~/lib/format-join-command";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";
import { ControllerUrlField, useControllerUrl } from "./controller-url-field";

/** Pins of the controller's self-signed certificate for the install command. */
export type TJoinPins = TCertificatePins;

/** Create a single-use token and show the one-line install to paste on the server. */
export function AddWithToken({ pins = null }: { pins?: TJoinPins | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [nodeName, setNodeName] = useState("");
  const url = useControllerUrl();
  const create = useMutation(
    trpc.token.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.token.list.queryFilter()),
    }),
  );
  const fields = readFieldErrors(create.error);
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
        <Card title="2. Run this on the new server (Debian 12, Ubuntu 22.04 or 24.04)">
          <ControllerUrlField id="install-controller-url" state={url} />
          <div className="mt-3">
            <CodeBlock
              testId="join-command"
              text={formatInstallCommand({ controllerUrl: url.controllerUrl, pins })}
            />
          </div>
          <p className="mt-3 mb-2 text-sm text-slate-600">
            Paste this token when the installer asks for it (it is not shown on the screen, not kept
            in the shell history). It is shown once, works once and expires{" "}
            {new Date(create.data.expiresAt).toLocaleString()}.
          </p>
          <CodeBlock testId="join-token" text={create.data.token} />
          <p className="mt-3 text-xs text-slate-500">
            The installer installs WireGuard tools, FRR and the meshover-agent package, joins, and
            starts meshover-agent.service; the node appears on the Nodes page when it reports in.
            Unattended: save the token to a file and run{" "}
            <code>sudo sh install.sh --token-file FILE</code>. See docs/agent.md.
          </p>
        </Card>
      )}
    </div>
  );
}
