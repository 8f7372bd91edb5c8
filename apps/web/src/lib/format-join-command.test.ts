import { describe, expect, it } from "vitest";
import { formatJoinCommand } from "./format-join-command";

describe("formatJoinCommand", () => {
  it("adds --allow-http only for a plain-http controller", () => {
    expect(formatJoinCommand({ controllerUrl: "https://mesh.example/", token: "mo_T" })).toBe(
      [
        "curl -fsSL -o meshover-agent.mjs https://mesh.example/downloads/meshover-agent.mjs",
        "sudo node meshover-agent.mjs join --controller https://mesh.example --token mo_T",
        "sudo node meshover-agent.mjs run",
      ].join("\n"),
    );
    expect(formatJoinCommand({ controllerUrl: "http://10.0.0.1:3000", token: "x" })).toContain(
      "--token x --allow-http",
    );
  });

  it("pins a self-signed https controller for curl and the agent", () => {
    const pins = { certSha256: "ab".repeat(32), spkiSha256: "c2Vj+cmV0/=" };
    const lines = formatJoinCommand({ controllerUrl: "https://10.0.0.1:3000", token: "t", pins });
    expect(lines).toContain(
      "curl -fsSL -k --pinnedpubkey sha256//c2Vj+cmV0/= -o meshover-agent.mjs https://10.0.0.1:3000/",
    );
    expect(lines).toContain(`--token t --pin-sha256 ${"ab".repeat(32)}`);
  });
});
