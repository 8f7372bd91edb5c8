import { createServerCaller } from "@meshover/api";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up" };

/** First run: create the first admin with the one-time code the controller printed. */
export default async function SetupPage({
  searchParams,
}: {
  searchParams: Promise<{ code?: string }>;
}) {
  const caller = createServerCaller(new Headers(await headers()));
  const { needsSetup } = await caller.auth.status();
  if (!needsSetup) redirect("/login");
  const { code } = await searchParams;
  return <SetupForm initialCode={code ?? ""} />;
}
