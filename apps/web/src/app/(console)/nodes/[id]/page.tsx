import type { Metadata } from "next";
import { NodeDetail } from "./node-detail";

export const metadata: Metadata = { title: "Node" };

/** One node: health history, BGP sessions, prefixes, key rotation, removal. */
export default async function NodePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NodeDetail nodeId={id} />;
}
