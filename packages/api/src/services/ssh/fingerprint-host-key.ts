// SSH host key fingerprints in OpenSSH's format (`ssh-keygen -lf`): "SHA256:" + unpadded
// base64 of the SHA-256 of the key blob. The admin compares this with what the server shows.
import { createHash } from "node:crypto";

/** The OpenSSH SHA256 fingerprint of a raw host key blob. */
export function fingerprintHostKey(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside an SSH key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", ...). */
export function readHostKeyType(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const length = key.readUInt32BE(0);
  if (length <= 0 || length > 64 || key.length < 4 + length) return "unknown";
  return key.subarray(4, 4 + length).toString("ascii");
}
