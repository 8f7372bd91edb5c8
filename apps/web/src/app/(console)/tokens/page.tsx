import type { Metadata } from "next";
import { TokensView } from "./tokens-view";

export const metadata: Metadata = { title: "Tokens" };

/** Enrollment tokens: create, list, revoke. */
export default function TokensPage() {
  return <TokensView />;
}
