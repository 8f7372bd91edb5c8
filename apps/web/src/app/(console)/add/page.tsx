import type { Metadata } from "next";
import { AddServer } from "./add-server";

export const metadata: Metadata = { title: "Add server" };

/** Add a server: paste a join command, or let the controller install over SSH. */
export default function AddPage() {
  return <AddServer />;
}
