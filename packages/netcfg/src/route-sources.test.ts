import { describe, expect, it } from "vitest";
import {
  ZKernelProtocol,
  ZNodeRouting,
  DEFAULT_NODE_ROUTING,
  findAlwaysDeniedReason,
  findSameNamespaceSpeakerReason,
} from "./route-sources";

const context = {
  pools: { ipv4Pool: "10.128.0.0/16", ipv6Pool: "fd12:3456:789a::/48" },
  underlay: ["2001:db8:1::1", "198.51.100.7"],
  isExitNode: false,
};

describe("findAlwaysDeniedReason", () => {
  it("denies the default route unless the node is an exit node", () => {
    expect(findAlwaysDeniedReason("0.0.0.0/0", context)).toMatch(/default route/);
    expect(findAlwaysDeniedReason("::/0", { ...context, isExitNode: true })).toBeNull();
  });

  it("denies the mesh pools, the underlay, link-local, multicast and loopback", () => {
    expect(findAlwaysDeniedReason("10.128.0.99/32", context)).toMatch(/mesh pool 10.128.0.0\/16/);
    expect(findAlwaysDeniedReason("fd12:3456:789a:1::/64", context)).toMatch(/mesh pool/);
    expect(findAlwaysDeniedReason("2001:db8:1::/64", context)).toMatch(
      /underlay address 2001:db8:1::1/,
    );
    expect(findAlwaysDeniedReason("198.51.100.0/24", context)).toMatch(/underlay/);
    expect(findAlwaysDeniedReason("169.254.1.0/24", context)).toMatch(/link-local/);
    expect(findAlwaysDeniedReason("fe80::/64", context)).toMatch(/link-local/);
    expect(findAlwaysDeniedReason("239.1.1.1/32", context)).toMatch(/multicast/);
    expect(findAlwaysDeniedReason("127.0.0.1/32", context)).toMatch(/loopback/);
  });

  it("allows an ordinary workload prefix", () => {
    expect(findAlwaysDeniedReason("10.60.1.0/24", context)).toBeNull();
    expect(findAlwaysDeniedReason("198.51.101.10/32", context)).toBeNull();
  });
});

describe("route source schemas", () => {
  it("refuses proto kernel with a message that says why", () => {
    const result = ZKernelProtocol.safeParse("kernel");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/invisible to FRR/);
    expect(ZKernelProtocol.safeParse("static").success).toBe(true);
  });

  it("accepts the default routing", () => {
    expect(ZNodeRouting.parse(DEFAULT_NODE_ROUTING)).toEqual(DEFAULT_NODE_ROUTING);
  });
});

describe("findSameNamespaceSpeakerReason", () => {
  it("names FRR 9 for a speaker peering over loopback, nothing for a guest's subnet", () => {
    expect(findSameNamespaceSpeakerReason("127.0.0.1/32")).toMatch(/needs FRR 9/);
    expect(findSameNamespaceSpeakerReason("::1/128")).toMatch(/needs FRR 9/);
    expect(findSameNamespaceSpeakerReason("10.201.1.0/24")).toBeNull();
  });
});
