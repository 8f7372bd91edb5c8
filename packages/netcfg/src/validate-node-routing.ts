// Checks on a node's routing policy as an admin types it (issue #14): the same function runs in
// the dashboard on every keystroke (inline errors at the offending field) and in the controller
// before anything is stored (the first issue is the refusal). Pure: everything it needs about the
// mesh comes in the context.
import { isCidrOverlap, parseCidr, type TParsedCidr } from "./parse-cidr";
import {
  BUILTIN_EXCLUDED_INTERFACES,
  ZBgpSpeaker,
  ZInterfaceSelector,
  ZKernelProtocol,
  findAlwaysDeniedReason,
  type TAlwaysDeniedContext,
  type TAllowedRange,
  type TRouteSources,
} from "./route-sources";

/** One problem, at a path into the policy (`["allowedRanges", 2, "maxLength"]`). */
export interface TRoutingIssue {
  path: (string | number)[];
  message: string;
}

/** The part of a node's policy an admin edits. */
export interface TRoutingPolicyDraft {
  mayOriginate: boolean;
  exitNode: boolean;
  maxPrefixes: number;
  allowedRanges: readonly TAllowedRange[];
  /** The node's own sources, or null for the mesh default. */
  sources: TRouteSources | null;
}

/** What validation needs to know about the mesh. */
export interface TRoutingValidationContext {
  pools: TAlwaysDeniedContext["pools"];
  /** Every node's underlay endpoints. */
  underlay: readonly string[];
  /** The node's own ASN (a speaker must use another one: the sessions are eBGP). */
  nodeAsn: number | null;
}

/**
 * FRR's own kernel route protocols (zebra's rt.h and Linux rtnetlink.h): zebra treats such
 * routes as its selfroutes and never redistributes them, so selecting one picks up nothing.
 */
const FRR_OWN_PROTOCOLS: ReadonlyMap<string, string> = new Map([
  ["zebra", "11"],
  ["babel", "42"],
  ["bgp", "186"],
  ["isis", "187"],
  ["ospf", "188"],
  ["rip", "189"],
  ["ripng", "190"],
  ["nhrp", "191"],
  ["eigrp", "192"],
  ["ldp", "193"],
  ["sharp", "194"],
  ["pbr", "195"],
  ["zstatic", "196"],
  ["openfabric", "197"],
  ["srte", "198"],
]);
const FRR_OWN_NUMBERS = new Set(FRR_OWN_PROTOCOLS.values());

/** Why a kernel protocol cannot be a source, or null when it can. */
export function findKernelProtocolProblem(protocol: string): string | null {
  const parsed = ZKernelProtocol.safeParse(protocol);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "not a route protocol";
  if (protocol === "redirect" || protocol === "1") {
    return "ICMP redirect routes are ignored by FRR's zebra";
  }
  if (/^\d+$/.test(protocol) && Number(protocol) > 255) return "a route protocol is 0..255";
  if (FRR_OWN_PROTOCOLS.has(protocol) || FRR_OWN_NUMBERS.has(protocol)) {
    return `${protocol} is one of FRR's own protocols: zebra never redistributes those routes`;
  }
  return null;
}

/** True when interface `name` matches the glob `pattern` (`*` any run, `?` one character). */
export function isInterfaceMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name);
}

/** Why an interface selector cannot be a source, or null when it can. */
export function findInterfaceSelectorProblem(selector: string): string | null {
  const parsed = ZInterfaceSelector.safeParse(selector);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "not an interface name";
  if (/\*\*/.test(selector)) return "use one * for any run of characters";
  // A plain name (or a glob that only ever matches excluded names) selects nothing.
  const excluded = BUILTIN_EXCLUDED_INTERFACES.find((builtin) =>
    isInterfaceMatch(builtin, selector),
  );
  if (excluded) {
    return `${selector} is always excluded (${excluded}: meshover's tunnels, loopback or CNI internals)`;
  }
  return null;
}

function parseRange(text: string): TParsedCidr | string {
  try {
    return parseCidr(text);
  } catch (error) {
    return error instanceof Error ? error.message : "not a CIDR prefix";
  }
}

function validateRanges(
  ranges: readonly TAllowedRange[],
  isExitNode: boolean,
  context: TRoutingValidationContext,
): TRoutingIssue[] {
  const issues: TRoutingIssue[] = [];
  const seen = new Map<string, number>();
  ranges.forEach((range, i) => {
    const parsed = parseRange(range.prefix);
    if (typeof parsed === "string") {
      issues.push({ path: ["allowedRanges", i, "prefix"], message: parsed });
      return;
    }
    const bits = parsed.family === "ipv4" ? 32 : 128;
    if (!Number.isInteger(range.maxLength) || range.maxLength < parsed.prefixLength) {
      issues.push({
        path: ["allowedRanges", i, "maxLength"],
        message: `maximum length must be at least the prefix length (/${parsed.prefixLength})`,
      });
    } else if (range.maxLength > bits) {
      issues.push({
        path: ["allowedRanges", i, "maxLength"],
        message: `maximum length must be at most ${bits} for ${parsed.family}`,
      });
    }
    const earlier = seen.get(parsed.text);
    if (earlier !== undefined) {
      issues.push({
        path: ["allowedRanges", i, "prefix"],
        message: `${parsed.text} is listed twice (row ${earlier + 1})`,
      });
    }
    seen.set(parsed.text, i);
    if (parsed.prefixLength === 0) {
      if (!isExitNode) {
        issues.push({
          path: ["allowedRanges", i, "prefix"],
          message: "a default route is allowed only on an exit node",
        });
      } else if (range.maxLength !== 0) {
        issues.push({
          path: ["allowedRanges", i, "maxLength"],
          message: "a default range may only allow the default route itself (maximum length 0)",
        });
      }
      return;
    }
    const denied = findAlwaysDeniedReason(parsed.text, {
      pools: context.pools,
      underlay: context.underlay,
      isExitNode,
    });
    if (denied) {
      issues.push({
        path: ["allowedRanges", i, "prefix"],
        message: `${parsed.text} ${denied}: never announced`,
      });
    }
  });
  return issues;
}

function validateSources(
  sources: TRouteSources,
  context: TRoutingValidationContext,
  base: (string | number)[],
): TRoutingIssue[] {
  const issues: TRoutingIssue[] = [];
  for (const key of ["interfaces", "excludeInterfaces"] as const) {
    sources[key].forEach((selector, i) => {
      const problem =
        key === "interfaces"
          ? findInterfaceSelectorProblem(selector)
          : (ZInterfaceSelector.safeParse(selector).error?.issues[0]?.message ?? null);
      if (problem) issues.push({ path: [...base, key, i], message: problem });
    });
  }
  sources.kernelProtocols.forEach((protocol, i) => {
    const problem = findKernelProtocolProblem(protocol);
    if (problem) issues.push({ path: [...base, "kernelProtocols", i], message: problem });
  });
  const listenRanges = new Set<string>();
  sources.speakers.forEach((speaker, i) => {
    const path = [...base, "speakers", i];
    const shape = ZBgpSpeaker.safeParse(speaker);
    if (!shape.success) {
      for (const issue of shape.error.issues) {
        issues.push({ path: [...path, ...issue.path.map(String)], message: issue.message });
      }
      return;
    }
    const parsed = parseRange(speaker.listenRange);
    if (typeof parsed === "string") {
      issues.push({ path: [...path, "listenRange"], message: parsed });
    } else {
      const denied =
        parsed.prefixLength === 0
          ? "is the whole address space: name the speakers' own subnet"
          : findAlwaysDeniedReason(parsed.text, {
              pools: context.pools,
              underlay: context.underlay,
              isExitNode: false,
            });
      if (denied)
        issues.push({ path: [...path, "listenRange"], message: `${parsed.text} ${denied}` });
      if (listenRanges.has(parsed.text)) {
        issues.push({ path: [...path, "listenRange"], message: `${parsed.text} is listed twice` });
      }
      listenRanges.add(parsed.text);
    }
    if (context.nodeAsn !== null && speaker.asn === context.nodeAsn) {
      issues.push({
        path: [...path, "asn"],
        message: `the speaker's ASN must differ from the node's own (${context.nodeAsn}): the session is eBGP`,
      });
    }
  });
  return issues;
}

/**
 * Every problem of a routing policy draft, in field order; empty when it may be stored. Checks:
 * allowed ranges (valid prefix, no host bits, maximum length between the prefix length and the
 * family's width, no duplicates, nothing always denied: default route unless exit node, mesh
 * pools, underlay, link-local, multicast, loopback), interface selectors (syntax, never an
 * always-excluded interface), kernel protocols (never `kernel` or FRR's own) and speakers.
 */
export function validateRoutingPolicy(
  draft: TRoutingPolicyDraft,
  context: TRoutingValidationContext,
): TRoutingIssue[] {
  const issues: TRoutingIssue[] = [];
  if (!Number.isInteger(draft.maxPrefixes) || draft.maxPrefixes < 0 || draft.maxPrefixes > 100000) {
    issues.push({ path: ["maxPrefixes"], message: "the prefix cap is a whole number 0..100000" });
  }
  issues.push(...validateRanges(draft.allowedRanges, draft.exitNode, context));
  if (draft.sources) issues.push(...validateSources(draft.sources, context, ["sources"]));
  return issues;
}

/** Every problem of the mesh-default sources (paths start at the sources themselves). */
export function validateRouteSources(
  sources: TRouteSources,
  context: TRoutingValidationContext,
): TRoutingIssue[] {
  return validateSources(sources, context, []);
}

/** A policy as {@link judgeRoutePrefix} reads it. */
export interface TJudgedPolicy {
  mayOriginate: boolean;
  exitNode: boolean;
  allowedRanges: readonly TAllowedRange[];
}

/** What {@link judgeRoutePrefix} decides: the refusal with its words, or the range that allows it. */
export type TRoutePrefixVerdict =
  | {
      refusal:
        "origination-disabled" | "outside-allowed-ranges" | "longer-than-allowed" | "always-denied";
      detail: string;
    }
  | { refusal: null; range: TAllowedRange };

/**
 * A judge for many prefixes against one mesh context: parses each policy's ranges once and
 * remembers the always-denied answer per prefix (conflict detection judges thousands at once).
 */
export function createRoutePrefixJudge(
  context: Omit<TAlwaysDeniedContext, "isExitNode">,
): (prefix: string, policy: TJudgedPolicy) => TRoutePrefixVerdict {
  const denied = new Map<string, string | null>();
  const ranges = new WeakMap<TJudgedPolicy, { range: TAllowedRange; cidr: TParsedCidr }[]>();
  return (prefix, policy) => {
    const key = `${policy.exitNode ? 1 : 0}${prefix}`;
    let reason = denied.get(key);
    if (reason === undefined) {
      reason = findAlwaysDeniedReason(prefix, { ...context, isExitNode: policy.exitNode });
      denied.set(key, reason);
    }
    if (reason) return { refusal: "always-denied", detail: reason };
    if (!policy.mayOriginate) {
      return { refusal: "origination-disabled", detail: "the node may not originate routes" };
    }
    let parsed = ranges.get(policy);
    if (!parsed) {
      parsed = policy.allowedRanges.map((range) => ({
        range,
        cidr: parseCidr(range.prefix, { isHostBitsAllowed: true }),
      }));
      ranges.set(policy, parsed);
    }
    const cidr = parseCidr(prefix, { isHostBitsAllowed: true });
    let longer: TAllowedRange | null = null;
    for (const { range, cidr: rangeCidr } of parsed) {
      if (rangeCidr.prefixLength > cidr.prefixLength || !isCidrOverlap(rangeCidr, cidr)) continue;
      if (cidr.prefixLength <= range.maxLength) return { refusal: null, range };
      longer = range;
    }
    if (longer) {
      return {
        refusal: "longer-than-allowed",
        detail: `longer than /${longer.maxLength} allowed in ${longer.prefix}`,
      };
    }
    return { refusal: "outside-allowed-ranges", detail: "in no allowed range of this node" };
  };
}

/** Why `prefix` would not be announced under `policy` before cap and conflicts, or null. */
export function judgeRoutePrefix(
  prefix: string,
  policy: TJudgedPolicy,
  context: Omit<TAlwaysDeniedContext, "isExitNode">,
): TRoutePrefixVerdict {
  return createRoutePrefixJudge(context)(prefix, policy);
}
