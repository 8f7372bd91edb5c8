import { describe, expect, it } from "vitest";
import { judgeRouteCandidates, type TDiscoveredRoute } from "./judge-route-candidates";
import { DEFAULT_NODE_ROUTING, type TNodeRouting } from "./route-sources";

const context = {
  pools: { ipv4Pool: "10.128.0.0/16", ipv6Pool: "fd12:3456:789a::/48" },
  underlay: ["2001:db8::1"],
};

const routing: TNodeRouting = {
  ...DEFAULT_NODE_ROUTING,
  mayOriginate: true,
  maxPrefixes: 3,
  allowedRanges: [
    { prefix: "198.51.100.0/24", maxLength: 32, anycast: true },
    { prefix: "10.60.0.0/16", maxLength: 24, anycast: false },
  ],
  withheld: ["10.60.9.0/24"],
};

const connected = (prefix: string, iface = "kube-lb0"): TDiscoveredRoute => ({
  prefix,
  source: "connected",
  interface: iface,
  protocol: null,
  speaker: null,
});

const verdicts = (routes: TDiscoveredRoute[], policy = routing) =>
  judgeRouteCandidates(policy, routes, context).map((c) => [c.prefix, c.refusal ?? c.verdict]);

describe("judgeRouteCandidates", () => {
  it("names the rule that refuses each prefix", () => {
    expect(
      verdicts([
        connected("198.51.100.10/32"),
        connected("10.128.0.99/32"),
        connected("0.0.0.0/0"),
        connected("10.60.9.0/24", "vmbr1"),
        connected("10.60.1.128/25", "vmbr1"),
        connected("192.168.122.0/24", "virbr0"),
        connected("2001:db8::/64", "eth0"),
      ]),
    ).toEqual([
      ["0.0.0.0/0", "always-denied"],
      ["10.60.1.128/25", "longer-than-allowed"],
      ["10.60.9.0/24", "withheld"],
      ["10.128.0.99/32", "always-denied"],
      ["192.168.122.0/24", "outside-allowed-ranges"],
      ["198.51.100.10/32", "announced"],
      ["2001:db8::/64", "always-denied"],
    ]);
  });

  it("refuses everything while the node may not originate", () => {
    expect(verdicts([connected("198.51.100.10/32")], { ...routing, mayOriginate: false })).toEqual([
      ["198.51.100.10/32", "origination-disabled"],
    ]);
  });

  it("caps unique prefixes in address order, the same prefix from two sources counting once", () => {
    const routes = [5, 1, 4, 2, 3].map((i) => connected(`198.51.100.${i}/32`));
    routes.push({
      ...connected("198.51.100.1/32"),
      source: "kernel",
      interface: "vmbr1",
      protocol: "static",
    });
    const result = judgeRouteCandidates(routing, routes, context);
    expect(result.map((c) => [c.prefix, c.source, c.refusal ?? c.verdict])).toEqual([
      ["198.51.100.1/32", "connected", "announced"],
      ["198.51.100.1/32", "kernel", "announced"],
      ["198.51.100.2/32", "connected", "announced"],
      ["198.51.100.3/32", "connected", "announced"],
      ["198.51.100.4/32", "connected", "prefix-cap"],
      ["198.51.100.5/32", "connected", "prefix-cap"],
    ]);
    expect(result.at(-1)?.detail).toMatch(/cap of 3/);
  });

  it("normalises host bits, so an address with its length is judged as its network", () => {
    expect(verdicts([connected("10.60.1.1/24", "vmbr1")])).toEqual([["10.60.1.0/24", "announced"]]);
  });
});
