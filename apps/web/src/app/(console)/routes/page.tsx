import type { Metadata } from "next";
import { RoutesView } from "./routes-view";

export const metadata: Metadata = { title: "Routes" };

/** Every prefix in the mesh and how far it got. */
export default function RoutesPage() {
  return <RoutesView />;
}
