import { describe, expect, it } from "vitest";
import { normalizeFingerprint } from "../../lib/normalize-fingerprint";
import { fingerprintHostKey, readHostKeyType } from "./fingerprint-host-key";

// An ed25519 host key blob: string "ssh-ed25519" then a 32-byte key.
const BLOB = Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from("ssh-ed25519"),
  Buffer.from([0, 0, 0, 32]),
  Buffer.alloc(32, 7),
]);

describe("host key fingerprints", () => {
  it("formats like ssh-keygen -l (SHA256, unpadded base64) and reads the key type", () => {
    const fp = fingerprintHostKey(BLOB);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(readHostKeyType(BLOB)).toBe("ssh-ed25519");
    expect(readHostKeyType(Buffer.from([0, 0]))).toBe("unknown");
  });

  it("accepts pasted fingerprints with or without prefix and padding, rejects others", () => {
    const fp = fingerprintHostKey(BLOB);
    const body = fp.slice("SHA256:".length);
    expect(normalizeFingerprint(fp)).toBe(fp);
    expect(normalizeFingerprint(`  ${body}=  `)).toBe(fp);
    expect(normalizeFingerprint("MD5:aa:bb")).toBeNull();
    expect(normalizeFingerprint("SHA256:short")).toBeNull();
  });
});
