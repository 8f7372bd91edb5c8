// Where to send the user after signing in comes from the URL (`/login?next=...`), so anyone can
// craft it. Browsers treat `/\evil.example/` and `/<TAB>/evil.example/` like `//evil.example/`
// (they strip tabs and newlines and read a backslash as a slash), so "starts with one slash" is
// not enough: only printable ASCII without a backslash, and it must stay on our origin.

const PROBE_ORIGIN = "http://meshover.invalid";

/** `next` when it is a same-origin relative path, else "/". */
export function readSafeNextPath(next: unknown): string {
  if (typeof next !== "string" || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.includes("\\"))
    return "/";
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  return url.origin === PROBE_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : "/";
}
