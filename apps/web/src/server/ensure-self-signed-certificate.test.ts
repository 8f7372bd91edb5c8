import { spawnSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCertificatePins } from "@meshover/api";
import { ensureSelfSignedCertificate } from "./ensure-self-signed-certificate";

const root = mkdtempSync(join(tmpdir(), "meshover-tls-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("ensureSelfSignedCertificate", () => {
  it("creates a certificate for the controller's names once, with a private key", () => {
    const dir = join(root, "tls");
    const first = ensureSelfSignedCertificate({ dir, hosts: ["10.1.2.3", "mesh.example"] });
    expect(first.isNew).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(first.keyFile).mode & 0o077).toBe(0);
    const certificate = new X509Certificate(readFileSync(first.certFile));
    expect(certificate.subjectAltName).toContain("IP Address:10.1.2.3");
    expect(certificate.subjectAltName).toContain("DNS:mesh.example");
    const again = ensureSelfSignedCertificate({ dir, hosts: ["10.1.2.3"] });
    expect(again.isNew).toBe(false);
    expect(readFileSync(again.certFile, "utf8")).toBe(readFileSync(first.certFile, "utf8"));
  });

  it("pins what the agent and curl compare: the certificate's and the public key's SHA-256", () => {
    const { certFile } = ensureSelfSignedCertificate({ dir: join(root, "pins"), hosts: [] });
    const pins = readCertificatePins(readFileSync(certFile));
    const der = spawnSync("openssl", ["x509", "-in", certFile, "-outform", "der"]).stdout;
    expect(pins.certSha256).toBe(createHash("sha256").update(der).digest("hex"));
    const spki = spawnSync("openssl", ["x509", "-in", certFile, "-pubkey", "-noout"], {
      encoding: "utf8",
    }).stdout;
    const spkiDer = spawnSync("openssl", ["pkey", "-pubin", "-outform", "der"], {
      input: spki,
    }).stdout;
    expect(pins.spkiSha256).toBe(createHash("sha256").update(spkiDer).digest("base64"));
  });
});
