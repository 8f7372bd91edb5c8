import { describe, expect, it } from "vitest";
import { diffNodeConfigs } from "@meshover/netcfg";
import { resolveConfigUpdate, validateIncomingConfig } from "../src/reconcile/validate-config";
import { makeTestPeer, TEST_MESH_SETTINGS } from "./test-config";

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

const PEER = makeTestPeer(2);

describe("resolveConfigUpdate", () => {
  const next = { ...config, version: 6, peers: [PEER] };
  const delta = diffNodeConfigs(config, next);

  it("takes a full config as it is and applies a delta to the stream's last config", () => {
    expect(resolveConfigUpdate(config, null)).toEqual({ config });
    expect(delta.upsertPeers).toEqual([PEER]);
    expect(resolveConfigUpdate(delta, config)).toEqual({ config: next });
  });
  it("asks for a resync when a delta has no or another base", () => {
    expect(resolveConfigUpdate(delta, null)).toMatchObject({ isResyncNeeded: true });
    const verdict = resolveConfigUpdate(delta, { ...config, version: 4 });
    expect(verdict).toMatchObject({ isResyncNeeded: true });
    expect("error" in verdict && verdict.error).toMatch(/against version 5/);
  });
  it("rejects a malformed delta or a delta whose result breaks the schema", () => {
    const bad = resolveConfigUpdate({ ...delta, upsertPeers: [{ index: -1 }] }, config);
    expect("error" in bad && bad.error).toMatch(/^malformed config \(upsertPeers\.0\./);
    const tooMany = Array.from({ length: 1025 }, (_, i) => ({
      ...PEER,
      id: `00000000-0000-4000-8000-${(i + 10).toString().padStart(12, "0")}`,
    }));
    const huge = resolveConfigUpdate(
      { ...delta, upsertPeers: tooMany.slice(0, 1000) },
      { ...config, peers: tooMany.slice(1000) },
    );
    expect("error" in huge && huge.error).toMatch(/^malformed config \(peers:/);
  });
});
