// The routing policy editor's form state: text as typed (lists as comma- or space-separated
// text, numbers as text), converted to the API's input and checked with the same netcfg
// validation the controller runs, so every error shows at its field while typing and nothing
// typed is lost when the controller refuses.
import {
  validateRouteSources,
  validateRoutingPolicy,
  type TRoutingIssue,
  type TRoutingValidationContext,
} from "@meshover/netcfg/validate-node-routing";

/** Sources as typed. */
export interface TSourcesDraft {
  interfaces: string;
  excludeInterfaces: string;
  kernelProtocols: string;
  ciliumPodCidr: boolean;
  speakers: { key: number; listenRange: string; asn: string; maxPrefixes: string }[];
}

/** A node's policy as typed. */
export interface TPolicyDraft {
  mayOriginate: boolean;
  exitNode: boolean;
  maxPrefixes: string;
  allowedRanges: {
    key: number;
    prefix: string;
    maxLength: string;
    anycast: boolean;
    description: string;
  }[];
  /** Follow the mesh-default sources instead of the node's own. */
  useMeshDefault: boolean;
  sources: TSourcesDraft;
}

/** Sources as the API takes and returns them. */
export interface TSourcesValue {
  interfaces: string[];
  excludeInterfaces: string[];
  kernelProtocols: string[];
  ciliumPodCidr: boolean;
  speakers: { listenRange: string; asn: number; maxPrefixes: number }[];
}

/** A node's policy as the API returns it. */
export interface TPolicyValue {
  mayOriginate: boolean;
  exitNode: boolean;
  maxPrefixes: number;
  allowedRanges: {
    prefix: string;
    maxLength: number;
    anycast: boolean;
    description: string | null;
  }[];
  sources: TSourcesValue | null;
  effectiveSources: TSourcesValue;
}

/** Field key of an issue path (`allowedRanges.2.prefix`). */
export function toFieldKey(path: readonly (string | number)[]): string {
  return path.join(".");
}

function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function parseWhole(text: string): number {
  const trimmed = text.trim();
  return /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** The stored sources as form text. */
export function toSourcesDraft(sources: TSourcesValue, firstKey = 0): TSourcesDraft {
  return {
    interfaces: sources.interfaces.join(", "),
    excludeInterfaces: sources.excludeInterfaces.join(", "),
    kernelProtocols: sources.kernelProtocols.join(", "),
    ciliumPodCidr: sources.ciliumPodCidr,
    speakers: sources.speakers.map((speaker, i) => ({
      key: firstKey + i,
      listenRange: speaker.listenRange,
      asn: String(speaker.asn),
      maxPrefixes: String(speaker.maxPrefixes),
    })),
  };
}

/** The stored policy as form text. */
export function toPolicyDraft(policy: TPolicyValue): TPolicyDraft {
  return {
    mayOriginate: policy.mayOriginate,
    exitNode: policy.exitNode,
    maxPrefixes: String(policy.maxPrefixes),
    allowedRanges: policy.allowedRanges.map((range, i) => ({
      key: i,
      prefix: range.prefix,
      maxLength: String(range.maxLength),
      anycast: range.anycast,
      description: range.description ?? "",
    })),
    useMeshDefault: policy.sources === null,
    sources: toSourcesDraft(policy.sources ?? policy.effectiveSources, 1000),
  };
}

/** Form text → the API's sources input (numbers that are not whole numbers become NaN). */
export function toSourcesInput(draft: TSourcesDraft): TSourcesValue {
  return {
    interfaces: splitList(draft.interfaces),
    excludeInterfaces: splitList(draft.excludeInterfaces),
    kernelProtocols: splitList(draft.kernelProtocols),
    ciliumPodCidr: draft.ciliumPodCidr,
    speakers: draft.speakers.map((speaker) => ({
      listenRange: speaker.listenRange.trim(),
      asn: parseWhole(speaker.asn),
      maxPrefixes: parseWhole(speaker.maxPrefixes),
    })),
  };
}

/** Form text → the API's policy input (without the node id). */
export function toPolicyInput(draft: TPolicyDraft) {
  return {
    mayOriginate: draft.mayOriginate,
    exitNode: draft.exitNode,
    maxPrefixes: parseWhole(draft.maxPrefixes),
    allowedRanges: draft.allowedRanges.map((range) => ({
      prefix: range.prefix.trim(),
      maxLength: parseWhole(range.maxLength),
      anycast: range.anycast,
      description: range.description.trim() || null,
    })),
    sources: draft.useMeshDefault ? null : toSourcesInput(draft.sources),
  };
}

// Numbers the form could not read are reported here, before netcfg's checks (which expect
// numbers) would word them less clearly.
function findNumberIssues(
  values: readonly { path: (string | number)[]; value: number }[],
): TRoutingIssue[] {
  return values
    .filter((entry) => Number.isNaN(entry.value))
    .map((entry) => ({ path: entry.path, message: "a whole number" }));
}

/** Every problem of the policy being typed, by field key (first message per field). */
export function checkPolicyDraft(
  draft: TPolicyDraft,
  context: TRoutingValidationContext,
): Map<string, string> {
  const input = toPolicyInput(draft);
  const numbers = findNumberIssues([
    { path: ["maxPrefixes"], value: input.maxPrefixes },
    ...input.allowedRanges.map((range, i) => ({
      path: ["allowedRanges", i, "maxLength"],
      value: range.maxLength,
    })),
    ...(input.sources?.speakers ?? []).flatMap((speaker, i) => [
      { path: ["sources", "speakers", i, "asn"], value: speaker.asn },
      { path: ["sources", "speakers", i, "maxPrefixes"], value: speaker.maxPrefixes },
    ]),
  ]);
  return toIssueMap([...numbers, ...validateRoutingPolicy(input, context)]);
}

/** Every problem of mesh-default sources being typed, by field key. */
export function checkSourcesDraft(
  draft: TSourcesDraft,
  context: TRoutingValidationContext,
): Map<string, string> {
  const input = toSourcesInput(draft);
  const numbers = findNumberIssues(
    input.speakers.flatMap((speaker, i) => [
      { path: ["speakers", i, "asn"], value: speaker.asn },
      { path: ["speakers", i, "maxPrefixes"], value: speaker.maxPrefixes },
    ]),
  );
  return toIssueMap([...numbers, ...validateRouteSources(input, context)]);
}

function toIssueMap(issues: readonly TRoutingIssue[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const issue of issues) {
    const key = toFieldKey(issue.path);
    if (!map.has(key)) map.set(key, issue.message);
  }
  return map;
}

/** The messages of a list field (`sources.interfaces.N`), each naming its entry. */
export function readListIssues(
  issues: ReadonlyMap<string, string>,
  key: string,
  text: string,
): string[] {
  const items = splitList(text);
  const found: string[] = [];
  for (const [field, message] of issues) {
    const match = new RegExp(`^${key.replace(/\./g, "\\.")}\\.(\\d+)$`).exec(field);
    if (match) found.push(`${items[Number(match[1])] ?? "entry"}: ${message}`);
  }
  return found;
}

/** The field a failed call names (a service refusal's path), with its message. */
export function readErrorField(error: unknown): { key: string; message: string } | null {
  const data = (error as { data?: { path?: (string | number)[] | null } } | null)?.data;
  if (!data?.path || !(error instanceof Error)) return null;
  return { key: toFieldKey(data.path), message: error.message };
}
