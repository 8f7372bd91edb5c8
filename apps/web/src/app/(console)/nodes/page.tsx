import type { Metadata } from "next";
import { NodesView } from "./nodes-view";

export const metadata: Metadata = { title: "Nodes" };

/** Every server in the mesh as a table. */
export default function NodesPage() {
  return <NodesView />;
}
