import { readFileSync } from "node:fs";
import { readCertificatePins, readControllerEnv } from "@meshover/api";
import type { Metadata } from "next";
import { AddServer } from "./add-server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Add server" };

// A self-signed certificate (MESHOVER_TLS=self-signed) cannot be checked against a CA, so the
// join command pins it. A CA-issued certificate is not pinned: it changes on every renewal.
function readSelfSignedPins() {
  const env = readControllerEnv();
  if (env.MESHOVER_TLS !== "self-signed" || !env.MESHOVER_TLS_CERT) return null;
  return readCertificatePins(readFileSync(env.MESHOVER_TLS_CERT));
}

/** Add a server: paste a join command, or let the controller install over SSH. */
export default function AddPage() {
  return <AddServer pins={readSelfSignedPins()} />;
}
