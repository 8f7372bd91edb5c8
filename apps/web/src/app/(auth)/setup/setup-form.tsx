"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { TextField } from "~/components/ui/form-field";
import { readFieldErrors } from "~/lib/read-field-errors";
import { useTRPC } from "~/trpc/react";

/** Create the first admin; the setup code comes from the printed link. */
export function SetupForm({ initialCode }: { initialCode: string }) {
  const trpc = useTRPC();
  const [code, setCode] = useState(initialCode);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const setup = useMutation(
    trpc.auth.setup.mutationOptions({ onSuccess: () => window.location.assign("/") }),
  );
  const fields = readFieldErrors(setup.error);
  const mismatch = confirm.length > 0 && confirm !== password ? "The passwords differ." : null;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!mismatch) setup.mutate({ code, email, password });
      }}
      className="space-y-4"
    >
      <div>
        <h1 className="text-lg font-semibold">Set up meshover</h1>
        <p className="text-sm text-slate-500">Create the first admin account.</p>
      </div>
      {!initialCode && (
        <TextField
          id="code"
          label="Setup code"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
          hint="Printed by the controller at its first start."
          error={fields.code}
        />
      )}
      <TextField
        id="email"
        label="Admin e-mail"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fields.email}
      />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint="At least 12 characters."
        error={fields.password}
      />
      <TextField
        id="confirm"
        label="Repeat password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={mismatch}
      />
      {setup.error && !fields.email && !fields.password && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {setup.error.message}
        </p>
      )}
      <Button type="submit" variant="primary" className="w-full" isBusy={setup.isPending}>
        Create admin and sign in
      </Button>
    </form>
  );
}
