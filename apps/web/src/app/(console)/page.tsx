import type { Metadata } from "next";
import { TopologyPage } from "./topology-page";

export const metadata: Metadata = { title: "Topology" };

/** Landing page: the mesh as a live graph. */
export default function HomePage() {
  return <TopologyPage />;
}
