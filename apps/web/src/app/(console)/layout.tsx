import { createServerCaller } from "@meshover/api";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "~/components/shell/app-shell";

export const dynamic = "force-dynamic";

/** Every console page: signed-in users only (checked on the server, no flash of content). */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const caller = createServerCaller(new Headers(await headers()));
  const me = await caller.auth.me();
  if (!me) {
    const { needsSetup } = await caller.auth.status();
    redirect(needsSetup ? "/setup" : "/login");
  }
  return <AppShell user={me}>{children}</AppShell>;
}
