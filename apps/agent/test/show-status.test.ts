import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderStatus } from "../src/commands/show-status";
import { StateStore } from "../src/state/state-store";

let dir: string;
let store: StateStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-status-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeIdentity({
    nodeId: "00000000-0000-4000-8000-000000000001",
    name: "node1",
    controller: "https://mesh.example.org",
    credential: "mo_node_".padEnd(48, "x"),
    isHttpAllowed: false,
    pinSha256: null,
    endpoints: [],
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse("2026-11-26T12:00:00Z");
const status = {
  updatedAt: "2026-11-26T11:59:55Z",
  name: "node1",
  configVersion: 7,
  appliedVersion: 7,
  applyError: null,
  peers: [
    {
      name: "node2",
      interface: "mo2",
      handshakeAt: "2026-11-26T11:59:30Z",
      bgpState: "Established",
      bfdState: "up",
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 1.4,
      prefixesReceived: 2,
    },
  ],
};

describe("renderStatus", () => {
  it("shows versions and one row per peer", () => {
    store.writeStatus(status);
    const text = renderStatus(store, NOW);
    expect(text).toContain("node node1  config v7  applied v7  updated 5s ago");
    expect(text).toMatch(/node2\s+mo2\s+30s\s+Established/);
    expect(text).not.toContain("refuses");
  });

  it("says so when the controller refuses this node, and what to do", () => {
    store.writeStatus({ ...status, controllerError: "this node was removed" });
    const text = renderStatus(store, NOW);
    expect(text).toContain(
      "the controller refuses this node (removed or credential revoked): this node was removed",
    );
    expect(text).toContain("set-credential, or run leave");
  });

  it("says when run has not written a status yet", () => {
    expect(renderStatus(store, NOW)).toContain("no status yet (is run active?)");
  });
});
