import { describe, expect, it } from "vitest";
import {
  checkPolicyDraft,
  readErrorField,
  readListIssues,
  toPolicyDraft,
  toPolicyInput,
} from "./routing-draft";

const context = {
  pools: { ipv4Pool: "10.128.0.0/16", ipv6Pool: "fd12:3456:789a::/48" },
  underlay: ["2001:db8::1"],
  nodeAsn: 4200000001,
};
const stored = {
  mayOriginate: true,
  exitNode: false,
  maxPrefixes: 100,
  allowedRanges: [{ prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: null }],
  sources: null,
  effectiveSources: {
    interfaces: ["kube-lb0"],
    excludeInterfaces: [],
    kernelProtocols: ["static"],
    ciliumPodCidr: false,
    speakers: [{ listenRange: "10.201.1.0/24", asn: 64600, maxPrefixes: 10 }],
  },
};

describe("routing draft", () => {
  it("round-trips a stored policy through the form text", () => {
    const draft = toPolicyDraft(stored);
    expect(draft.useMeshDefault).toBe(true);
    expect(toPolicyInput(draft)).toEqual({
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      allowedRanges: [{ prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: null }],
      sources: null,
    });
    const own = toPolicyInput({
      ...draft,
      useMeshDefault: false,
      sources: { ...draft.sources, interfaces: " kube-lb0,  virbr* ,," },
    });
    expect(own.sources?.interfaces).toEqual(["kube-lb0", "virbr*"]);
    expect(own.sources?.speakers).toEqual(stored.effectiveSources.speakers);
  });

  it("names each bad field, numbers the form cannot read included", () => {
    const draft = toPolicyDraft(stored);
    const issues = checkPolicyDraft(
      {
        ...draft,
        maxPrefixes: "lots",
        allowedRanges: [{ ...draft.allowedRanges[0]!, maxLength: "12" }],
        useMeshDefault: false,
        sources: { ...draft.sources, interfaces: "kube-lb0, lo" },
      },
      context,
    );
    expect(issues.get("maxPrefixes")).toBe("a whole number");
    expect(issues.get("allowedRanges.0.maxLength")).toMatch(/at least the prefix length/);
    expect(readListIssues(issues, "sources.interfaces", "kube-lb0, lo")).toEqual([
      expect.stringMatching(/^lo: lo is always excluded/) as unknown as string,
    ]);
  });

  it("reads the field a controller refusal names", () => {
    const error = Object.assign(new Error("overlaps the mesh pool"), {
      data: { path: ["allowedRanges", 1, "prefix"] },
    });
    expect(readErrorField(error)).toEqual({
      key: "allowedRanges.1.prefix",
      message: "overlaps the mesh pool",
    });
    expect(readErrorField(new Error("boom"))).toBeNull();
  });
});
