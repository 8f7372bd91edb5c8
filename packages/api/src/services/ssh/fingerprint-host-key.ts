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

/**
 * Normalise a pasted fingerprint for comparison: trims, accepts it with or without the
 * "SHA256:" prefix and base64 padding. Returns null when it cannot be a SHA256 fingerprint.
 */
export function normalizeFingerprint(input: string): string | null {
  const body = input
    .trim()
    .replace(/^SHA256:/i, "")
    .replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]{43}$/.test(body)) return null;
  return `SHA256:${body}`;
}
