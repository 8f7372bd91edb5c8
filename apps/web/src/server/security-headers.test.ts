import { describe, expect, it } from "vitest";
import { listSecurityHeaders } from "./security-headers";

describe("listSecurityHeaders", () => {
  it("forbids framing and sniffing and limits the referrer on every response", () => {
    const headers = new Map(listSecurityHeaders({ isHttps: false }));
    expect(headers.get("Content-Security-Policy")).toBe("frame-ancestors 'none'");
    expect(headers.get("X-Frame-Options")).toBe("DENY");
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Referrer-Policy")).toBe("same-origin");
    expect(headers.has("Strict-Transport-Security")).toBe(false);
  });

  it("adds HSTS over https only", () => {
    const headers = new Map(listSecurityHeaders({ isHttps: true }));
    expect(headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d+/);
  });
});
