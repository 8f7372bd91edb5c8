import { describe, expect, it } from "vitest";
import { isNetcfgError } from "../netcfg-error";
import { normalizePrefix } from "../parse-cidr";
import { canonicalizeEndpoint, formatEndpoint, formatInterfaceAddress } from "./format-address";

const codeOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    return isNetcfgError(error) ? error.code : `not a NetcfgError: ${String(error)}`;
  }
};

describe("formatInterfaceAddress", () => {
  it("keeps host bits (an address on a prefix), unlike normalizePrefix (a network)", () => {
    expect(formatInterfaceAddress("FE80:0:0::1/64")).toBe("fe80::1/64");
    expect(normalizePrefix("FE80:0:0::1/64")).toBe("fe80::/64");
  });

  it("throws NetcfgError, not ipaddr.js errors, for bad text", () => {
    expect(codeOf(() => formatInterfaceAddress("fe80::zz/64"))).toBe("INVALID_CIDR");
    expect(codeOf(() => formatEndpoint("not-an-address", 1))).toBe("INVALID_ADDRESS");
    expect(codeOf(() => canonicalizeEndpoint("[::g]:51820"))).toBe("INVALID_ADDRESS");
  });
});
