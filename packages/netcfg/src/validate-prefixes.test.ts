import { describe, expect, it } from "vitest";
import { isNetcfgError } from "./netcfg-error";
import { validateAdvertisedPrefixes, validateMeshPools } from "./validate-prefixes";

const pools = { ipv4Pool: "10.128.0.0/16", ipv6Pool: "fd12:3456:789a::/48" };

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return isNetcfgError(error) ? error.code : "not a NetcfgError";
  }
}

describe("validateMeshPools", () => {
  it("normalises valid pools", () => {
    expect(
      validateMeshPools({ ipv4Pool: "10.128.0.0/16", ipv6Pool: "FD12:3456:789A::/48" }),
    ).toEqual(pools);
  });

  it.each([
    [{ ipv4Pool: "fd00::/8", ipv6Pool: "fd00::/48" }, "INVALID_POOL"],
    [{ ipv4Pool: "10.128.0.0/16", ipv6Pool: "10.0.0.0/8" }, "INVALID_POOL"],
    [{ ipv4Pool: "10.128.0.1/16", ipv6Pool: "fd00::/48" }, "INVALID_CIDR"],
    [{ ipv4Pool: "10.0.0.0/31", ipv6Pool: "fd00::/48" }, "INVALID_POOL"],
    [{ ipv4Pool: "0.0.0.0/0", ipv6Pool: "fd00::/48" }, "INVALID_POOL"],
    [{ ipv4Pool: "10.0.0.0/8", ipv6Pool: "fe80::/64" }, "INVALID_POOL"],
    [{ ipv4Pool: "10.0.0.0/8", ipv6Pool: "fd00::/127" }, "INVALID_POOL"],
  ])("refuses %j with %s", (input, code) => {
    expect(codeOf(() => validateMeshPools(input))).toBe(code);
  });
});

describe("validateAdvertisedPrefixes", () => {
  it("accepts and sorts good prefixes", () => {
    expect(
      validateAdvertisedPrefixes({
        prefixes: ["2001:DB8:1::/48", "192.168.50.0/24", "10.10.0.0/16"],
        pools,
      }),
    ).toEqual(["10.10.0.0/16", "192.168.50.0/24", "2001:db8:1::/48"]);
  });

  it.each([
    [["192.168.50.1/24"], "INVALID_CIDR"],
    [["bogus"], "INVALID_CIDR"],
    [["0.0.0.0/0"], "INVALID_PREFIX"],
    [["::/0"], "INVALID_PREFIX"],
    [["127.0.0.0/8"], "INVALID_PREFIX"],
    [["fe80::/64"], "INVALID_PREFIX"],
    [["239.0.0.0/8"], "INVALID_PREFIX"],
    [["10.128.5.0/24"], "OVERLAP"],
    [["10.0.0.0/8"], "OVERLAP"],
    [["fd12:3456:789a:1::/64"], "OVERLAP"],
    [["192.168.0.0/24", "192.168.0.0/24"], "OVERLAP"],
    [["192.168.0.0/16", "192.168.3.0/24"], "OVERLAP"],
  ])("refuses %j with %s", (prefixes, code) => {
    expect(codeOf(() => validateAdvertisedPrefixes({ prefixes, pools }))).toBe(code);
  });

  it("clears host bits only when asked", () => {
    expect(
      validateAdvertisedPrefixes({ prefixes: ["192.168.50.1/24"], pools, canClearHostBits: true }),
    ).toEqual(["192.168.50.0/24"]);
    expect(() => validateAdvertisedPrefixes({ prefixes: ["192.168.50.1/24"], pools })).toThrow(
      /the network is 192\.168\.50\.0\/24/,
    );
  });

  it("allows the default route only when asked", () => {
    expect(
      validateAdvertisedPrefixes({
        prefixes: ["::/0", "0.0.0.0/0"],
        pools,
        isDefaultRouteAllowed: true,
      }),
    ).toEqual(["0.0.0.0/0", "::/0"]);
  });

  it("reports overlap with another node unless anycast", () => {
    const otherNodes = [{ name: "cloud", prefixes: ["192.168.50.0/24"] }];
    expect(() =>
      validateAdvertisedPrefixes({ prefixes: ["192.168.0.0/16"], pools, otherNodes }),
    ).toThrow(/node "cloud"/);
    expect(
      validateAdvertisedPrefixes({
        prefixes: ["192.168.50.0/24"],
        pools,
        otherNodes,
        isAnycast: true,
      }),
    ).toEqual(["192.168.50.0/24"]);
    expect(
      validateAdvertisedPrefixes({ prefixes: ["192.168.51.0/24"], pools, otherNodes }),
    ).toEqual(["192.168.51.0/24"]);
  });
});
