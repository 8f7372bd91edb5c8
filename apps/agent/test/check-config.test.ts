import { describe, expect, it } from "vitest";
import { MAX_PEERS, diffNodeConfigs, resolveConfigUpdate } from "@meshover/netcfg";
import { checkConfigFor } from "../src/controller/check-config";
import { makeTestConfig, makeTestPeer } from "./test-config";

const config = makeTestConfig([], { version: 5 });
const NODE = config.self.id;

describe("checkConfigFor and resolveConfigUpdate", () => {
  it("accepts a config for this node", () => {
    expect(resolveConfigUpdate(config, null)).toEqual({ config });
    expect(checkConfigFor(config, NODE, 4)).toEqual({ config });
  });
  it("rejects malformed input", () => {
    const verdict = resolveConfigUpdate({ ...config, peers: [{ index: -1 }] }, null);
    expect(verdict).toMatchObject({ isResyncNeeded: false });
    expect("error" in verdict && verdict.error).toMatch(/^malformed config \(peers\.0\./);
  });
  it("rejects a config meant for another node", () => {
    const other = makeTestConfig([], { version: 5, index: 2 });
    expect(checkConfigFor(other, NODE, null)).toMatchObject({ isStale: false });
  });
  it("ignores an older version", () => {
    expect(checkConfigFor(config, NODE, 6)).toMatchObject({ isStale: true });
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
    const tooMany = Array.from({ length: MAX_PEERS + 1 }, (_, i) => ({
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
