import { describe, expect, it } from "vitest";
import { formatInstallCommand, isLoopbackUrl } from "./format-join-command";

describe("formatInstallCommand", () => {
  it("pipes the controller's install.sh into sudo sh with the controller URL, and no token", () => {
    expect(formatInstallCommand({ controllerUrl: "https://mesh.example/" })).toBe(
      "curl -fsSL https://mesh.example/install.sh | sudo sh -s -- --controller https://mesh.example",
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
