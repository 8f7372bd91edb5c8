// The dashboard session cookie: a random token (only its hash is stored), HttpOnly so scripts
// cannot read it, SameSite=Lax so other sites cannot send it on their POSTs, Secure over https.

/** Name of the session cookie. */
export const SESSION_COOKIE = "meshover_session";

/** A session stays valid this long without a request (idle expiry). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;

/** A session ends this long after login whatever happens (absolute expiry). */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(headers: Headers, name: string): string | null {
  const header = headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    // A malformed escape (`%E0%A4%A`) is no cookie at all, not an error: it means no session.
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** A Set-Cookie value that stores `token` until `expiresAt`. */
export function formatSessionCookie({
  token,
  expiresAt,
  isSecure,
  now = new Date(),
}: {
  token: string;
  expiresAt: Date;
  isSecure: boolean;
  now?: Date;
}): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAge}`,
  ];
  if (isSecure) parts.push("Secure");
  return parts.join("; ");
}

/** A Set-Cookie value that deletes the session cookie. */
export function formatClearedSessionCookie({ isSecure }: { isSecure: boolean }): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${isSecure ? "; Secure" : ""}`;
}

/** Attach the cookie for a new `session` to the response (login and first-run setup). */
export function appendSessionCookie(
  ctx: { resHeaders: Headers; isSecure: boolean },
  session: { token: string; expiresAt: Date },
): void {
  ctx.resHeaders.append(
    "set-cookie",
    formatSessionCookie({
      token: session.token,
      expiresAt: session.expiresAt,
      isSecure: ctx.isSecure,
    }),
  );
}
