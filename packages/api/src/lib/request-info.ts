// Facts about the HTTP request that security decisions use: the client address, https, and
// whether a mutation comes from our own origin (CSRF defence on top of SameSite cookies).

/** The client's address: the first X-Forwarded-For hop (set by our server or a proxy), else null. */
export function readClientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) return forwarded.split(",")[0]!.trim() || null;
  return headers.get("x-real-ip");
}

/** Whether the request reached us over https (directly, or via a proxy that says so). */
export function isSecureRequest(headers: Headers): boolean {
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/**
 * Whether a state-changing request may proceed. Browsers send Origin on every cross-site POST
 * and on same-origin POSTs too, so an Origin that names another host is a forged request.
 * Without Origin (agents, CLI, server-side calls) Sec-Fetch-Site still tells a browser's
 * cross-site request apart; neither header means a non-browser client, which cookies don't
 * ride along with anyway.
 */
export function isSameOriginRequest(headers: Headers, publicUrl?: string): boolean {
  const origin = headers.get("origin");
  if (origin) {
    if (origin === "null") return false;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return false;
    }
    const hosts = [headers.get("x-forwarded-host"), headers.get("host")];
    if (publicUrl) hosts.push(new URL(publicUrl).host);
    return hosts.some((host) => host !== null && host.toLowerCase() === originHost.toLowerCase());
  }
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}
