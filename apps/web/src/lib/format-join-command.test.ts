import { describe, expect, it } from "vitest";
import { formatInstallCommand, isLoopbackUrl } from "./format-join-command";

describe("formatInstallCommand", () => {
  it("pipes the controller's install.sh into sudo sh with the controller URL, and no token", () => {
    expect(formatInstallCommand({ controllerUrl: "https://mesh.example/" })).toBe(
      "curl -fsSL https://mesh.example/install.sh | sudo sh -s -- --controller https://mesh.example",
    );
  });

  it("pins a self-signed https controller for curl and the installer, never plain http", () => {
    const pins = { certSha256: "ab".repeat(32), spkiSha256: "c2Vj+cmV0/=" };
    expect(formatInstallCommand({ controllerUrl: "https://10.0.0.1:3000", pins })).toBe(
      `curl -fsSL -k --pinnedpubkey sha256//c2Vj+cmV0/= https://10.0.0.1:3000/install.sh | sudo sh -s -- --controller https://10.0.0.1:3000 --pin-sha256 ${"ab".repeat(32)}`,
    );
    expect(formatInstallCommand({ controllerUrl: "http://10.0.0.1:3000", pins })).not.toContain(
      "pin",
    );
  });
});

describe("isLoopbackUrl", () => {
  it("knows the browser's loopback addresses from reachable ones", () => {
    expect(isLoopbackUrl("http://127.0.0.1:3000")).toBe(true);
    expect(isLoopbackUrl("http://localhost:3000")).toBe(true);
    expect(isLoopbackUrl("http://[::1]:3000")).toBe(true);
    expect(isLoopbackUrl("http://[2001:db8::1]:3000")).toBe(false);
    expect(isLoopbackUrl("https://mesh.example")).toBe(false);
    expect(isLoopbackUrl("not a url")).toBe(false);
  });
});
