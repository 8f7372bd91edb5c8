"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/button";
import { TextField } from "~/components/ui/form-field";
import { useTRPC } from "~/trpc/react";

/** E-mail + password form; a refusal shows the server's reason under the form. */
export function LoginForm({
  next,
  isExpired,
  needsSetup,
}: {
  next: string;
  isExpired: boolean;
  needsSetup: boolean;
}) {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(
    trpc.auth.login.mutationOptions({ onSuccess: () => window.location.assign(next) }),
  );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        login.mutate({ email, password });
      }}
      className="space-y-4"
    >
      <div>
        <h1 className="text-lg font-semibold">Sign in</h1>
        <p className="text-sm text-slate-500">to your meshover controller</p>
      </div>
      {isExpired && !login.error && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900">
          Your session ended. Sign in again to continue.
        </p>
      )}
      {needsSetup && (
        <p className="rounded-md bg-blue-50 px-3 py-2 text-xs text-blue-900">
          No admin exists yet: open the one-time setup link the controller printed at start.
        </p>
      )}
      <TextField
        id="email"
        label="E-mail"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {login.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {login.error.message}
        </p>
      )}
      <Button type="submit" variant="primary" className="w-full" isBusy={login.isPending}>
        Sign in
      </Button>
    </form>
  );
}
