"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { TextField } from "~/components/ui/form-field";
import { isLoopbackUrl } from "~/lib/format-join-command";
import { useTRPC } from "~/trpc/react";

/**
 * The controller URL a new server will use: what the admin typed, else the controller's public
 * URL (MESHOVER_PUBLIC_URL), else this page's address.
 */
export function useControllerUrl() {
  const trpc = useTRPC();
  const [origin] = useState(() => (typeof window === "undefined" ? "" : window.location.origin));
  // null until the admin edits it.
  const [edited, setControllerUrl] = useState<string | null>(null);
  const defaults = useQuery(trpc.ssh.defaults.queryOptions());
  const publicUrl = defaults.data?.controllerUrl?.replace(/\/+$/, "") ?? null;
  return { controllerUrl: edited ?? publicUrl ?? origin, publicUrl, setControllerUrl };
}

/** The editable controller URL, with where its default came from and a loopback warning. */
export function ControllerUrlField({
  id,
  state,
  error,
}: {
  id: string;
  state: ReturnType<typeof useControllerUrl>;
  error?: string;
}) {
  return (
    <div>
      <TextField
        id={id}
        label="Controller URL the server will use"
        value={state.controllerUrl}
        onChange={(e) => state.setControllerUrl(e.target.value)}
        error={error}
        hint={
          state.publicUrl
            ? "Must be reachable from the new server. Default: the controller's public URL (MESHOVER_PUBLIC_URL)."
            : "Must be reachable from the new server. Default: this page's address (set MESHOVER_PUBLIC_URL on the controller to change it)."
        }
      />
      {isLoopbackUrl(state.controllerUrl) && (
        <p role="alert" data-testid="loopback-warning" className="mt-2 text-sm text-amber-700">
          {state.controllerUrl} is this browser&apos;s own machine: another server cannot reach it.
          Enter the address servers reach the controller at (or set MESHOVER_PUBLIC_URL).
        </p>
      )}
    </div>
  );
}
