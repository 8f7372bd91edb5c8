// Headers every controller response carries, pages and API alike: no framing (clickjacking of
// the dashboard's buttons), no MIME sniffing, no full URLs (tokens in query strings) leaking in
// Referer, and over https a promise to browsers to stay on https.

/** The security headers of a response; HSTS only when the request came over https. */
export function listSecurityHeaders({ isHttps }: { isHttps: boolean }): [string, string][] {
  const headers: [string, string][] = [
    ["Content-Security-Policy", "frame-ancestors 'none'"],
    ["X-Frame-Options", "DENY"],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
  ];
  if (isHttps) headers.push(["Strict-Transport-Security", "max-age=31536000"]);
  return headers;
}
