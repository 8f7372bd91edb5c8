import { createServerCaller } from "@meshover/api";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { readSafeNextPath } from "~/lib/read-safe-next-path";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** Sign in; already signed-in users go straight to the console. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; expired?: string }>;
}) {
  const caller = createServerCaller(new Headers(await headers()));
  const params = await searchParams;
  // Only same-origin paths, so a crafted link cannot bounce the user to another site.
  const next = readSafeNextPath(params.next);
  if (await caller.auth.me()) redirect(next);
  const { needsSetup } = await caller.auth.status();
  return <LoginForm next={next} isExpired={params.expired === "1"} needsSetup={needsSetup} />;
}
