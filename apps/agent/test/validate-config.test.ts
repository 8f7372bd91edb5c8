import { describe, expect, it } from "vitest";
import { validateIncomingConfig } from "../src/reconcile/validate-config";
import { TEST_MESH_SETTINGS } from "./test-config";

const NODE = "00000000-0000-4000-8000-000000000001";
const config = {
  version: 5,
  self: {
    id: NODE,
    name: "node1",
    index: 1,
    asn: 4200000001,
    ipv4: "10.128.0.1",
    ipv6: "fd00::1",
    advertisedPrefixes: [],
  },
  peers: [],
  settings: TEST_MESH_SETTINGS,
  rotation: null,
};

describe("validateIncomingConfig", () => {
  it("accepts a config for this node", () => {
    expect(validateIncomingConfig(config, NODE, 4)).toEqual({ config });
  });
  it("rejects malformed input", () => {
    const verdict = validateIncomingConfig({ ...config, peers: [{ index: -1 }] }, NODE, null);
    expect(verdict).toMatchObject({ isStale: false });
    expect("error" in verdict && verdict.error).toMatch(/^malformed config \(peers\.0\./);
  });
  it("rejects a config meant for another node", () => {
    const other = {
      ...config,
      self: { ...config.self, id: "00000000-0000-4000-8000-000000000002" },
    };
    expect(validateIncomingConfig(other, NODE, null)).toMatchObject({ isStale: false });
  });
  it("ignores an older version", () => {
    expect(validateIncomingConfig(config, NODE, 6)).toMatchObject({ isStale: true });
  });
});
