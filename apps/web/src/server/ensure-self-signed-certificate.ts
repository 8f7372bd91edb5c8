// TLS without a reverse proxy: with MESHOVER_TLS=self-signed the controller makes its own
// certificate on first start (kept in the data folder, key 0600) and reuses it after. Agents
// cannot check it against a CA, so the Add server command carries its SHA-256 pin, the way
// `kubeadm join` carries the CA hash: a man in the middle would need this very key.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";

/** The certificate and key files of the controller's self-signed certificate. */
export interface TSelfSignedFiles {
  certFile: string;
  keyFile: string;
  /** Whether this call created them. */
  isNew: boolean;
}

/** The certificate in `dir` (cert.pem, key.pem), created with openssl for `hosts` when missing. */
export function ensureSelfSignedCertificate({
  dir,
  hosts,
}: {
  dir: string;
  hosts: string[];
}): TSelfSignedFiles {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile, isNew: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = [...new Set(["localhost", "127.0.0.1", "::1", ...hosts])].filter(
    (host) => host !== "0.0.0.0" && host !== "::",
  );
  const altNames = names.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(",");
  const result = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "3650",
      "-subj",
      "/CN=meshover controller",
      "-addext",
      `subjectAltName=${altNames}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (result.error || result.status !== 0) {
    throw new Error(
      `openssl could not create a self-signed certificate: ${result.error?.message ?? result.stderr}`,
    );
  }
  return { certFile, keyFile, isNew: true };
}
