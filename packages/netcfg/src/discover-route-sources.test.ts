import { describe, expect, it } from "vitest";
import { discoverRouteSources, nameRouteProtocol } from "./discover-route-sources";
import type { TIpLinkAddresses, TIpRoute } from "./parse-ip-json";
import { DEFAULT_NODE_ROUTING, type TNodeRouting } from "./route-sources";

function link(name: string, addresses: string[], isUp = true): TIpLinkAddresses {
  return {
    index: 1,
    name,
    flags: isUp ? ["BROADCAST", "UP", "LOWER_UP"] : ["BROADCAST"],
    isUp,
    mtu: 1500,
    operState: isUp ? "UP" : "DOWN",
    linkType: "ether",
    macAddress: null,
    master: null,
    infoKind: null,
    kind: "other",
    addresses: addresses.map((cidr) => {
      const [address, length] = cidr.split("/");
      return {
        family: cidr.includes(":") ? "ipv6" : "ipv4",
        address: address!,
        prefixLength: Number(length),
        cidr,
        scope: address!.startsWith("fe80") ? "link" : "global",
        isStablePrivacy: false,
      };
    }),
  };
}

function route(
  destination: string,
  device: string | null,
  protocol: string,
  type = "unicast",
): TIpRoute {
  return {
    type,
    destination,
    family: destination.includes(":") ? "ipv6" : "ipv4",
    gateway: null,
    device,
    protocol,
    metric: null,
    preferredSource: null,
  };
}

const routing: TNodeRouting = {
  ...DEFAULT_NODE_ROUTING,
  mayOriginate: true,
  sources: {
    ...DEFAULT_NODE_ROUTING.sources,
    interfaces: ["vmbr*", "kube-lb0"],
    kernelProtocols: ["static", "12"],
    ciliumPodCidr: true,
  },
};

describe("discoverRouteSources", () => {
  const found = discoverRouteSources({
    routing,
    links: [
      link("vmbr1", ["10.60.1.1/24", "fe80::1/64"]),
      link("vmbr2", ["10.60.5.1/24"], false),
      link("kube-ipvs0", ["10.96.0.1/32"]),
      link("cilium_host", ["10.0.1.1/32"]),
    ],
    routes: [
      route("10.60.2.0/24", "vmbr1", "4"),
      route("10.60.3.0/24", "vmbr1", "12"),
      route("10.60.4.0/24", "vmbr1", "16"),
      // FRR's own routes: iproute2 would print 196 as `static` too; numbers tell them apart.
      route("10.60.9.0/24", null, "196", "blackhole"),
      route("10.70.0.0/24", "vmbr1", "196"),
      route("10.0.1.0/24", "cilium_host", "2"),
      route("10.0.1.0/24", "cilium_host", "196"),
      route("10.0.2.0/24", "cilium_host", "2"),
      route("fd00:7::/120", "cilium_host", "2"),
    ],
    advertisedPrefixes: ["fd00:7::/120", "10.80.0.0/24"],
  });

  it("finds connected prefixes of up, selected interfaces (never link-local, never excluded)", () => {
    expect(found.routes.filter((r) => r.source === "connected").map((r) => r.prefix)).toEqual([
      "10.60.1.0/24",
    ]);
    expect(found.interfaceNames).toEqual(["vmbr1", "vmbr2"]);
  });

  it("takes kernel routes of the selected protocols by name or number, never FRR's own", () => {
    expect(
      found.routes.filter((r) => r.source === "kernel").map((r) => [r.prefix, r.protocol]),
    ).toEqual([
      ["10.60.2.0/24", "static"],
      ["10.60.3.0/24", "bird"],
    ]);
    expect(found.unselectedKernelRoutes.map((r) => [r.prefix, r.protocol])).toEqual([
      ["10.60.4.0/24", "dhcp"],
    ]);
  });

  it("takes only the pod CIDR that contains cilium_host's address, once, not FRR's anchor", () => {
    expect(found.routes.filter((r) => r.source === "cilium").map((r) => r.prefix)).toEqual([
      "10.0.1.0/24",
    ]);
  });

  it("anchors an attached IPv6 prefix where the host's proto kernel route points", () => {
    expect(found.anchorInterfaces).toEqual({ "fd00:7::/120": "cilium_host" });
  });

  it("names protocols as the kernel does, whatever FRR's rt_protos adds", () => {
    expect(nameRouteProtocol("4")).toBe("static");
    expect(nameRouteProtocol("196")).toBe("196");
    expect(nameRouteProtocol("dhcp")).toBe("dhcp");
    expect(nameRouteProtocol(null)).toBe("boot");
  });
});
