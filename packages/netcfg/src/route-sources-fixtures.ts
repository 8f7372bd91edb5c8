// Route-source test data shared by netcfg's tests (not exported from the package).
import type { TRouteHostState } from "./derive-route-policy";
import type { TNodeRouting } from "./route-sources";

/** Allowed ranges of the route-sources golden node. */
export const ROUTE_RANGES = [
  { prefix: "198.51.100.0/24", maxLength: 32, anycast: true },
  { prefix: "10.0.1.0/24", maxLength: 24, anycast: false },
  { prefix: "10.60.0.0/16", maxLength: 24, anycast: false },
  { prefix: "fd00:0:0:1::/64", maxLength: 120, anycast: false },
];

/** A node picking up kube-lb0, vmbr* bridges, static kernel routes, Cilium and a guest speaker. */
export const SOURCES_ROUTING: TNodeRouting = {
  mayOriginate: true,
  exitNode: false,
  maxPrefixes: 100,
  sources: {
    interfaces: ["kube-lb0", "vmbr*", "cilium_host"],
    excludeInterfaces: ["vmbr9"],
    kernelProtocols: ["static"],
    ciliumPodCidr: true,
    speakers: [{ listenRange: "10.201.1.0/24", asn: 64600, maxPrefixes: 50 }],
  },
  allowedRanges: ROUTE_RANGES,
  withheld: ["10.60.9.0/24"],
};

/** What the agent found on that node's host. */
export const SOURCES_HOST: TRouteHostState = {
  interfaceNames: ["eth0", "kube-lb0", "vmbr1", "vmbr2", "vmbr9", "lo", "cilium_host", "mo2"],
  podCidrs: [
    { prefix: "10.0.1.0/24", interface: "cilium_host" },
    { prefix: "fd00:0:0:1::/120", interface: "cilium_host" },
  ],
  refusedPrefixes: ["198.51.100.99/32"],
  announcedPrefixes: [
    "10.0.1.0/24",
    "10.60.1.0/24",
    "10.60.2.0/24",
    "198.51.100.10/32",
    "fd00:0:0:1::/120",
  ],
  anchorInterfaces: {},
};
