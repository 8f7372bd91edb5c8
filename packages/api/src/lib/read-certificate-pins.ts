import { X509Certificate, createHash } from "node:crypto";

/** What a client pins a self-signed controller certificate by. */
export interface TCertificatePins {
  /** SHA-256 of the leaf certificate (DER), hex: the agent's `--pin-sha256`. */
  certSha256: string;
  /** SHA-256 of its public key (SPKI DER), base64: curl's `--pinnedpubkey sha256//…`. */
  spkiSha256: string;
}

/** The pins of the first certificate in a PEM chain. */
export function readCertificatePins(pem: string | Buffer): TCertificatePins {
  const certificate = new X509Certificate(pem);
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return {
    certSha256: createHash("sha256").update(certificate.raw).digest("hex"),
    spkiSha256: createHash("sha256").update(spki).digest("base64"),
  };
}
