import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_SOURCES } from "./route-sources";
import {
  isInterfaceMatch,
  judgeRoutePrefix,
  validateRoutingPolicy,
  validateRouteSources,
  type TRoutingPolicyDraft,
} from "./validate-node-routing";

const context = {
  pools: { ipv4Pool: "10.128.0.0/16", ipv6Pool: "fd12:3456:789a::/48" },
  underlay: ["2001:db8:1::1", "192.0.2.7"],
  nodeAsn: 4200000001,
};
const draft: TRoutingPolicyDraft = {
  mayOriginate: true,
  exitNode: false,
  maxPrefixes: 100,
  allowedRanges: [{ prefix: "198.51.100.0/24", maxLength: 32, anycast: true }],
  sources: { ...DEFAULT_ROUTE_SOURCES, interfaces: ["kube-lb0", "virbr*"] },
};

function messagesAt(issues: { path: (string | number)[]; message: string }[]) {
  return Object.fromEntries(issues.map((issue) => [issue.path.join("."), issue.message]));
}

describe("validateRoutingPolicy", () => {
  it("accepts a sensible policy", () => {
    expect(validateRoutingPolicy(draft, context)).toEqual([]);
  });

  it.each([
    [
      { prefix: "10.128.5.0/24", maxLength: 32, anycast: false },
      "allowedRanges.0.prefix",
      /mesh pool/,
    ],
    [
      { prefix: "192.0.2.0/24", maxLength: 32, anycast: false },
      "allowedRanges.0.prefix",
      /underlay/,
    ],
    [
      { prefix: "169.254.0.0/16", maxLength: 32, anycast: false },
      "allowedRanges.0.prefix",
      /link-local/,
    ],
    [
      { prefix: "10.60.0.0/16", maxLength: 8, anycast: false },
      "allowedRanges.0.maxLength",
      /at least the prefix length \(\/16\)/,
    ],
    [
      { prefix: "10.60.0.0/16", maxLength: 33, anycast: false },
      "allowedRanges.0.maxLength",
      /at most 32/,
    ],
    [
      { prefix: "10.60.0.1/16", maxLength: 24, anycast: false },
      "allowedRanges.0.prefix",
      /host bits/,
    ],
    [{ prefix: "0.0.0.0/0", maxLength: 0, anycast: false }, "allowedRanges.0.prefix", /exit node/],
  ])("refuses the range %j at the right field", (range, path, message) => {
    const issues = messagesAt(validateRoutingPolicy({ ...draft, allowedRanges: [range] }, context));
    expect(issues[path]).toMatch(message);
  });

  it("allows only the default route itself on an exit node", () => {
    const exit = { ...draft, exitNode: true };
    const defaultRoute = { prefix: "0.0.0.0/0", maxLength: 0, anycast: false };
    expect(validateRoutingPolicy({ ...exit, allowedRanges: [defaultRoute] }, context)).toEqual([]);
    const wide = messagesAt(
      validateRoutingPolicy(
        { ...exit, allowedRanges: [{ ...defaultRoute, maxLength: 24 }] },
        context,
      ),
    );
    expect(wide["allowedRanges.0.maxLength"]).toMatch(/maximum length 0/);
  });

  it("refuses duplicates, excluded interfaces, proto kernel, FRR's own protocols, bad speakers", () => {
    const issues = messagesAt(
      validateRoutingPolicy(
        {
          ...draft,
          allowedRanges: [draft.allowedRanges[0]!, draft.allowedRanges[0]!],
          sources: {
            ...DEFAULT_ROUTE_SOURCES,
            interfaces: ["lo", "mo12", "kube lb0", "cilium_host"],
            kernelProtocols: ["kernel", "bgp", "186", "static", "bird"],
            speakers: [
              { listenRange: "10.201.1.0/24", asn: 4200000001, maxPrefixes: 10 },
              { listenRange: "10.128.0.0/24", asn: 64600, maxPrefixes: 10 },
            ],
          },
        },
        context,
      ),
    );
    expect(issues["allowedRanges.1.prefix"]).toMatch(/listed twice/);
    expect(issues["sources.interfaces.0"]).toMatch(/always excluded/);
    expect(issues["sources.interfaces.1"]).toMatch(/always excluded \(mo\*/);
    expect(issues["sources.interfaces.2"]).toMatch(/interface name or glob/);
    expect(issues["sources.interfaces.3"]).toMatch(/always excluded/);
    expect(issues["sources.kernelProtocols.0"]).toMatch(/invisible to FRR/);
    expect(issues["sources.kernelProtocols.1"]).toMatch(/FRR's own/);
    expect(issues["sources.kernelProtocols.2"]).toMatch(/FRR's own/);
    expect(issues["sources.kernelProtocols.3"]).toBeUndefined();
    expect(issues["sources.speakers.0.asn"]).toMatch(/eBGP/);
    expect(issues["sources.speakers.1.listenRange"]).toMatch(/mesh pool/);
  });

  it("checks the mesh default sources with paths from the sources", () => {
    const issues = validateRouteSources(
      { ...DEFAULT_ROUTE_SOURCES, kernelProtocols: ["2"] },
      context,
    );
    expect(issues[0]?.path).toEqual(["kernelProtocols", 0]);
  });
});

describe("isInterfaceMatch", () => {
  it("matches globs on whole names only", () => {
    expect(isInterfaceMatch("virbr*", "virbr0")).toBe(true);
    expect(isInterfaceMatch("eth?", "eth10")).toBe(false);
    expect(isInterfaceMatch("kube-lb0", "kube-lb0")).toBe(true);
    expect(isInterfaceMatch("vmbr.1", "vmbrx1")).toBe(false);
  });
});

describe("judgeRoutePrefix", () => {
  const policy = {
    mayOriginate: true,
    exitNode: false,
    allowedRanges: [{ prefix: "10.60.0.0/16", maxLength: 24, anycast: false }],
  };
  const mesh = { pools: context.pools, underlay: context.underlay };

  it("gives each refusal its rule", () => {
    expect(judgeRoutePrefix("10.60.1.0/24", policy, mesh).refusal).toBeNull();
    expect(judgeRoutePrefix("10.60.1.5/32", policy, mesh).refusal).toBe("longer-than-allowed");
    expect(judgeRoutePrefix("10.61.0.0/24", policy, mesh).refusal).toBe("outside-allowed-ranges");
    expect(judgeRoutePrefix("10.60.0.0/15", policy, mesh).refusal).toBe("outside-allowed-ranges");
    expect(judgeRoutePrefix("10.128.0.9/32", policy, mesh).refusal).toBe("always-denied");
    expect(judgeRoutePrefix("10.60.1.0/24", { ...policy, mayOriginate: false }, mesh).refusal).toBe(
      "origination-disabled",
    );
  });
});
