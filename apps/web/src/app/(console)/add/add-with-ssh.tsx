"use client";
// Add a server over SSH in three steps: read and confirm its host key, give a credential,
// then preflight or install with live progress. The credential stays in this component's
// state and is sent only with the start request; the server keeps no copy.
import { normalizeFingerprint } from "@meshover/api/normalize-fingerprint";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { TextArea, TextField } from "~/components/ui/form-field";
import { Card } from "~/components/ui/card";
import { StepList } from "~/components/ui/step-list";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";
import { ControllerUrlField, useControllerUrl } from "./controller-url-field";

/** The ways to log in, in the order the form offers them. */
const AUTH_KINDS = [
  { kind: "key", label: "Private key" },
  { kind: "password", label: "Password" },
] as const;

/** The SSH tab of the Add server page. */
export function AddWithSsh() {
  const trpc = useTRPC();
  const [host, setHost] = useState("");
  const [port, setPort] = useState("22");
  const [isConfirmed, setIsConfirmed] = useState(false);
  const [pasted, setPasted] = useState("");
  const [username, setUsername] = useState("root");
  const [authKind, setAuthKind] = useState<"password" | "key">("key");
  const [password, setPassword] = useState("");
  const [privateKey, setPrivateKey] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [nodeName, setNodeName] = useState("");
  const url = useControllerUrl();
  const { controllerUrl } = url;
  const [frrMode, setFrrMode] = useState<"auto" | "managed" | "system">("auto");
  const [jobId, setJobId] = useState<string | null>(null);

  const probe = useMutation(trpc.ssh.probeHostKey.mutationOptions());
  const start = useMutation(
    trpc.ssh.start.mutationOptions({ onSuccess: (data) => setJobId(data.jobId) }),
  );
  const job = useQuery(
    trpc.ssh.job.queryOptions(
      { jobId: jobId ?? "00000000-0000-4000-8000-000000000000" },
      {
        enabled: jobId != null,
        refetchInterval: (query) => (query.state.data?.status === "running" ? 700 : false),
      },
    ),
  );

  const presented = probe.data?.fingerprint ?? null;
  const pastedMismatch =
    presented != null && pasted.trim() !== "" && normalizeFingerprint(pasted) !== presented;
  const expectedFingerprint = pasted.trim()
    ? normalizeFingerprint(pasted)
    : isConfirmed
      ? presented
      : null;
  const canStart =
    expectedFingerprint != null &&
    !pastedMismatch &&
    !start.isPending &&
    job.data?.status !== "running";
  const fields = readFieldErrors(start.error);

  const run = (mode: "preflight" | "install") => {
    if (!expectedFingerprint) return;
    setJobId(null);
    start.mutate({
      mode,
      host: host.trim(),
      port: Number(port),
      username: username.trim(),
      auth:
        authKind === "password"
          ? { kind: "password", password }
          : { kind: "key", privateKey, passphrase: passphrase || undefined },
      expectedFingerprint,
      nodeName: nodeName.trim() || undefined,
      controllerUrl: controllerUrl.trim(),
      frrMode,
    });
  };

  return (
    <div className="space-y-4">
      <Card title="1. Server and host key">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            setIsConfirmed(false);
            setJobId(null);
            probe.mutate({ host: host.trim(), port: Number(port) });
          }}
        >
          <TextField
            id="ssh-host"
            label="Host"
            required
            placeholder="203.0.113.7 or server.example"
            value={host}
            onChange={(e) => setHost(e.target.value)}
            className="w-72"
          />
          <TextField
            id="ssh-port"
            label="Port"
            required
            type="number"
            min={1}
            max={65535}
            value={port}
            onChange={(e) => setPort(e.target.value)}
            className="w-24"
          />
          <Button type="submit" isBusy={probe.isPending}>
            Fetch host key
          </Button>
        </form>
        {probe.error && (
          <p role="alert" className="mt-2 text-sm text-red-600">
            {probe.error.message}
          </p>
        )}
        {presented && (
          <div className="mt-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
            <div>
              <p className="text-xs text-slate-500">
                The server presented this {probe.data?.keyType} host key. Compare it with{" "}
                <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>{" "}
                run on the server itself:
              </p>
              <p
                data-testid="host-fingerprint"
                className="mt-1 font-mono text-sm break-all text-slate-900"
              >
                {presented}
              </p>
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={isConfirmed}
                onChange={(e) => setIsConfirmed(e.target.checked)}
              />
              I verified this fingerprint
            </label>
            <TextField
              id="ssh-expected"
              label="…or paste the expected fingerprint"
              placeholder="SHA256:…"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              error={
                pastedMismatch
                  ? "This does not match the key the server presented. Refusing to continue: the server may not be the one you think."
                  : undefined
              }
            />
          </div>
        )}
      </Card>

      <Card title="2. Login (used once, never stored)">
        <div className="grid grid-cols-2 gap-3">
          <TextField
            id="ssh-user"
            label="User"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            hint="root, or a user with passwordless sudo"
          />
          <fieldset>
            <legend className="mb-1 block text-xs font-medium text-slate-700">
              Authenticate with
            </legend>
            <div className="flex gap-4 pt-1.5 text-sm">
              {AUTH_KINDS.map((option) => (
                <label key={option.kind} className="flex items-center gap-1.5">
                  <input
                    type="radio"
                    name="auth"
                    checked={authKind === option.kind}
                    onChange={() => setAuthKind(option.kind)}
                  />
                  {option.label}
                </label>
              ))}
            </div>
          </fieldset>
          {authKind === "password" ? (
            <TextField
              id="ssh-password"
              label="Password"
              type="password"
              autoComplete="off"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className="col-span-2"
            />
          ) : (
            <>
              <TextArea
                id="ssh-key"
                label="Private key (OpenSSH or PEM)"
                rows={4}
                spellCheck={false}
                placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                value={privateKey}
                onChange={(e) => setPrivateKey(e.target.value)}
                className="col-span-2"
              />
              <TextField
                id="ssh-passphrase"
                label="Key passphrase (if any)"
                type="password"
                autoComplete="off"
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
              />
            </>
          )}
          <TextField
            id="ssh-node-name"
            label="Node name (optional)"
            placeholder="the server's host name"
            value={nodeName}
            onChange={(e) => setNodeName(e.target.value)}
            error={fields.nodeName}
          />
          <ControllerUrlField id="ssh-controller" state={url} error={fields.controllerUrl} />
          <div>
            <label htmlFor="ssh-frr" className="mb-1 block text-xs font-medium text-slate-700">
              FRR on the server
            </label>
            <select
              id="ssh-frr"
              value={frrMode}
              onChange={(e) => setFrrMode(e.target.value as typeof frrMode)}
              className="block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900"
            >
              <option value="auto">Automatic (from the preflight)</option>
              <option value="managed">The agent runs its own FRR daemons</option>
              <option value="system">Add to the system FRR (bgpd running)</option>
            </select>
            <p className="mt-1 text-xs text-slate-500">
              Automatic: the system FRR when its bgpd runs, otherwise the agent&apos;s own daemons
              (vtysh -N meshover).
            </p>
          </div>
        </div>
        <div className="mt-4 flex items-center gap-2">
          <Button onClick={() => run("preflight")} disabled={!canStart}>
            Run preflight
          </Button>
          <Button variant="primary" onClick={() => run("install")} disabled={!canStart}>
            Install agent
          </Button>
          {!expectedFingerprint && (
            <span className="text-xs text-slate-500">Fetch and confirm the host key first.</span>
          )}
        </div>
        {start.error && (
          <p role="alert" className="mt-2 text-sm text-red-600">
            {start.error.message}
          </p>
        )}
      </Card>

      {job.data && (
        <Card
          title={`3. ${job.data.mode === "install" ? "Install" : "Preflight"} on ${job.data.host}`}
          actions={
            <Badge
              tone={
                job.data.status === "done" ? "green" : job.data.status === "failed" ? "red" : "blue"
              }
              hasDot
            >
              {job.data.status}
            </Badge>
          }
        >
          <div className="space-y-4">
            <StepList label="Progress" items={job.data.steps} />
            {job.data.checks && (
              <div>
                <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                  Preflight checks
                </h3>
                <StepList label="Preflight checks" items={job.data.checks} />
              </div>
            )}
            {job.data.error && (
              <p
                role="alert"
                data-testid="ssh-job-error"
                className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700"
              >
                {job.data.error}
              </p>
            )}
            {job.data.status === "done" && job.data.nodeId && (
              <Link
                href={`/nodes/${job.data.nodeId}`}
                className="text-sm font-medium text-blue-700 hover:underline"
              >
                Open {job.data.nodeName} →
              </Link>
            )}
          </div>
        </Card>
      )}
    </div>
  );
}
