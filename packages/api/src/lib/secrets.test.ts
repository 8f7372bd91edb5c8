import { describe, expect, it } from "vitest";
import { generateSecret, hashPassword, hashSecret, verifyPassword } from "./secrets";

describe("secrets", () => {
  it("generates distinct prefixed URL-safe secrets", () => {
    const a = generateSecret("mo_tok_");
    const b = generateSecret("mo_tok_");
    expect(a).toMatch(/^mo_tok_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it("hashes secrets deterministically without keeping the secret", () => {
    expect(hashSecret("abc")).toBe(hashSecret("abc"));
    expect(hashSecret("abc")).not.toContain("abc");
    expect(hashSecret("abc")).toHaveLength(64);
  });

  it("stores passwords as Argon2id with OWASP parameters and verifies them", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored, "wrong horse battery")).toBe(false);
  });
});
