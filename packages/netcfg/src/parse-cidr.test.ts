import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { isNetcfgError } from "./netcfg-error";
import {
  findCidrOverlaps,
  isAddressInCidr,
  isCidrOverlap,
  isValidAddress,
  isValidCidr,
  normalizePrefix,
  parseAddress,
  parseCidr,
} from "./parse-cidr";

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return isNetcfgError(error) ? error.code : "not a NetcfgError";
  }
}

describe("parseAddress", () => {
  it.each([
    ["10.128.0.1", "ipv4", "10.128.0.1"],
    ["FD12:3456:789A:0:0:0:0:1", "ipv6", "fd12:3456:789a::1"],
    [" 2001:db8::0:1 ", "ipv6", "2001:db8::1"],
    ["::ffff:10.0.0.1", "ipv6", "::ffff:a00:1"],
  ])("parses %s", (text, family, canonical) => {
    const address = parseAddress(text);
    expect(address.family).toBe(family);
    expect(address.text).toBe(canonical);
  });

  it.each(["10.1", "010.0.0.1", "0x0a.0.0.1", "256.0.0.1", "fe80::1%eth0", "", "host", "1::2::3"])(
    "refuses %j",
    (text) => {
      expect(codeOf(() => parseAddress(text))).toBe("INVALID_ADDRESS");
    },
  );
});

describe("parseCidr", () => {
  it.each([
    ["10.128.0.0/16", "10.128.0.0/16"],
    ["FD12:3456:789A::/48", "fd12:3456:789a::/48"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["::/0", "::/0"],
    ["192.168.50.7/32", "192.168.50.7/32"],
  ])("normalises %s to %s", (text, canonical) => {
    expect(parseCidr(text).text).toBe(canonical);
  });

  it("refuses host bits by default and names the network", () => {
    expect(() => parseCidr("192.168.50.1/24")).toThrow(/192\.168\.50\.0\/24/);
    expect(parseCidr("192.168.50.1/24", { isHostBitsAllowed: true }).text).toBe("192.168.50.0/24");
    expect(normalizePrefix("fd00::1/8")).toBe("fd00::/8");
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/08", "x/8", "10.0.0.0/"])(
    "refuses %j as INVALID_CIDR",
    (text) => {
      expect(codeOf(() => parseCidr(text))).toBe("INVALID_CIDR");
      expect(isValidCidr(text)).toBe(false);
    },
  );

  it("computes the last address", () => {
    const cidr = parseCidr("10.128.0.0/16");
    expect(cidr.last - cidr.network).toBe(65535n);
  });
});

describe("overlaps", () => {
  it("detects nesting and adjacency correctly", () => {
    expect(isCidrOverlap("10.0.0.0/8", "10.1.0.0/16")).toBe(true);
    expect(isCidrOverlap("10.1.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(isCidrOverlap("10.0.0.0/24", "10.0.1.0/24")).toBe(false);
    expect(isCidrOverlap("fd00::/8", "fd12::/16")).toBe(true);
    expect(isCidrOverlap("0.0.0.0/0", "::/0")).toBe(false);
  });

  it("lists overlapping pairs within and between lists", () => {
    expect(findCidrOverlaps(["10.0.0.0/8", "192.168.0.0/16", "10.2.0.0/16"])).toEqual([
      { a: "10.0.0.0/8", b: "10.2.0.0/16" },
    ]);
    expect(findCidrOverlaps(["10.128.0.0/16"], ["10.0.0.0/8", "fd00::/8"])).toEqual([
      { a: "10.128.0.0/16", b: "10.0.0.0/8" },
    ]);
  });

  it("checks address membership", () => {
    expect(isAddressInCidr("10.128.3.4", "10.128.0.0/16")).toBe(true);
    expect(isAddressInCidr("10.129.0.0", "10.128.0.0/16")).toBe(false);
    expect(isAddressInCidr("fd12:3456:789a::5", "10.128.0.0/16")).toBe(false);
  });
});

describe("IPv6 parsing agrees with ipaddr.js", () => {
  it("property: same canonical text for any IPv6 address", () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        expect(parseAddress(text).text).toBe(ipaddr.IPv6.parse(text).toRFC5952String());
      }),
      { numRuns: 2000 },
    );
  });

  it("property: accepts exactly what ipaddr.js accepts", () => {
    const chars = fc.constantFrom(..."0123456789abcdefABCDEF:.g".split(""));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 45 }), (text) => {
        fc.pre(text.includes(":"));
        expect(isValidAddress(text)).toBe(ipaddr.IPv6.isValid(text));
      }),
      { numRuns: 5000 },
    );
  });
});
