import { describe, expect, it } from "vitest";
import { ZDesiredNodeConfig, ZWireguardKey } from "./config";
import { TEST_MESH_SETTINGS } from "./test-fixtures";
import { DEFAULT_NODE_ROUTING } from "./route-sources";

const base = {
  version: 3,
  self: {
    id: "7d0c6f5e-2d7b-4c39-9d38-6f6f9a1d2c11",
    name: "home",
    index: 1,
    asn: 4200000001,
    ipv4: "10.128.0.1",
    ipv6: "fd12:3456:789a::1",
    advertisedPrefixes: ["192.168.50.0/24"],
  },
  peers: [],
  settings: TEST_MESH_SETTINGS,
  rotation: null,
  routing: DEFAULT_NODE_ROUTING,
};

describe("ZDesiredNodeConfig", () => {
  it("accepts a well-formed config", () => {
    expect(ZDesiredNodeConfig.parse(base)).toEqual(base);
  });

  it("reads a config from a controller that predates route sources as the default routing", () => {
    const { routing: _routing, ...old } = base;
    expect(ZDesiredNodeConfig.parse(old).routing).toEqual(DEFAULT_NODE_ROUTING);
  });

  it("rejects an ASN outside the private 32-bit range", () => {
    const bad = { ...base, self: { ...base.self, asn: 65000 } };
    expect(ZDesiredNodeConfig.safeParse(bad).success).toBe(false);
  });
});

describe("ZWireguardKey", () => {
  it("accepts a real key and rejects one with non-zero padding bits", () => {
    expect(ZWireguardKey.safeParse("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=").success).toBe(
      true,
    );
    expect(ZWireguardKey.safeParse("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=").success).toBe(
      false,
    );
  });
});
