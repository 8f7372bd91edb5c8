// Comparing SSH host key fingerprints as admins paste them. No imports: the dashboard checks a
// pasted fingerprint with this same function before sending anything (`@meshover/api/normalize-fingerprint`).

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
