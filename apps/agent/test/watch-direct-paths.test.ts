import { describe, expect, it } from "vitest";
import { DIRECT_PATH_TIMEOUT_SEC, deriveTunnels } from "@meshover/netcfg";
import { DirectPathWatch } from "../src/health/watch-direct-paths";
import { makeTestConfig, makeTestPeer } from "./test-config";

describe("DirectPathWatch", () => {
  const [tunnel] = deriveTunnels(makeTestConfig([makeTestPeer(2)]));
  const timeoutMs = DIRECT_PATH_TIMEOUT_SEC * 1000;

  it("reports a tunnel that never handshook for the timeout, with how it was tried", () => {
    const watch = new DirectPathWatch();
    expect(watch.observe(tunnel!, false, 0)).toBeNull();
    expect(watch.observe(tunnel!, false, timeoutMs - 1)).toBeNull();
    expect(watch.observe(tunnel!, false, timeoutMs)).toBe(
      `no WireGuard handshake in ${DIRECT_PATH_TIMEOUT_SEC} s (dialing [2001:db8::2]:51821 over IPv6)`,
    );
  });

  it("never reports a tunnel that handshook once, and restarts the clock for a rebuilt one", () => {
    const watch = new DirectPathWatch();
    watch.observe(tunnel!, true, 0);
    expect(watch.observe(tunnel!, false, 10 * timeoutMs)).toBeNull();
    watch.retain(new Set());
    expect(watch.observe(tunnel!, false, 11 * timeoutMs)).toBeNull();
    expect(watch.observe(tunnel!, false, 12 * timeoutMs)).not.toBeNull();
  });
});
