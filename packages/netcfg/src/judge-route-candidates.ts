// The verdict on every prefix a node found on its host: announced, or refused by which rule.
// Shared by the agent (which reports candidates and tells FRR what to hold back) and the
// controller (which shows them and checks conflicts), so both judge with the same rules.
import { compareText } from "./compare-text";
import { parseCidr, type TParsedCidr } from "./parse-cidr";
import {
  createAlwaysDeniedCheck,
  type TAlwaysDeniedContext,
  type TNodeRouting,
  type TRouteCandidate,
  type TRouteRefusal,
  type TRouteSourceKind,
} from "./route-sources";

/** A prefix the agent found on its host, before it is judged. */
export interface TDiscoveredRoute {
  prefix: string;
  source: TRouteSourceKind;
  interface: string | null;
  protocol: string | null;
  speaker: string | null;
}

/** What judging needs besides the node's routing. */
export type TJudgeContext = Omit<TAlwaysDeniedContext, "isExitNode">;

// Sources in the order they claim a place under the prefix cap.
const SOURCE_ORDER: readonly TRouteSourceKind[] = [
  "static",
  "cilium",
  "connected",
  "kernel",
  "speaker",
];

type TParsedRoute = { cidr: TParsedCidr; route: TDiscoveredRoute };

function compareBySource(a: TParsedRoute, b: TParsedRoute) {
  const bySource = SOURCE_ORDER.indexOf(a.route.source) - SOURCE_ORDER.indexOf(b.route.source);
  return bySource !== 0 ? bySource : compareCandidates(a, b);
}

function compareCandidates(a: TParsedRoute, b: TParsedRoute) {
  if (a.cidr.family !== b.cidr.family) return a.cidr.family === "ipv4" ? -1 : 1;
  if (a.cidr.network !== b.cidr.network) return a.cidr.network < b.cidr.network ? -1 : 1;
  if (a.cidr.prefixLength !== b.cidr.prefixLength) return a.cidr.prefixLength - b.cidr.prefixLength;
  const bySource = SOURCE_ORDER.indexOf(a.route.source) - SOURCE_ORDER.indexOf(b.route.source);
  if (bySource !== 0) return bySource;
  const key = (route: TDiscoveredRoute) =>
    `${route.interface ?? ""}|${route.protocol ?? ""}|${route.speaker ?? ""}`;
  return compareText(key(a.route), key(b.route));
}

function findRangeRefusal(
  cidr: TParsedCidr,
  ranges: readonly { parsed: TParsedCidr; maxLength: number }[],
): { refusal: TRouteRefusal; detail: string } | null {
  const containing = ranges.filter(({ parsed }) => {
    return (
      parsed.family === cidr.family &&
      parsed.prefixLength <= cidr.prefixLength &&
      parsed.network <= cidr.network &&
      cidr.last <= parsed.last
    );
  });
  if (containing.length === 0) {
    return { refusal: "outside-allowed-ranges", detail: "in none of the node's allowed ranges" };
  }
  if (containing.every((range) => cidr.prefixLength > range.maxLength)) {
    const widest = Math.max(...containing.map((range) => range.maxLength));
    return {
      refusal: "longer-than-allowed",
      detail: `longer than /${widest}, the maximum length its allowed range permits`,
    };
  }
  return null;
}

/**
 * Judges every discovered prefix against the node's routing: origination switch, always-denied
 * ranges, the controller's withheld list, the allowed ranges and their maximum length, then the
 * prefix cap (unique prefixes; attached, pod CIDRs, connected, kernel, speaker routes in that
 * order, each in address order, so the same host state always gives the same verdicts and a
 * flood of VIPs cannot push out a pod CIDR). The same prefix from two sources is two candidates
 * with one verdict. Sorted by prefix.
 */
export function judgeRouteCandidates(
  routing: TNodeRouting,
  discovered: readonly TDiscoveredRoute[],
  context: TJudgeContext,
): TRouteCandidate[] {
  const isAlwaysDenied = createAlwaysDeniedCheck({ ...context, isExitNode: routing.exitNode });
  const ranges = routing.allowedRanges.map((range) => ({
    parsed: parseCidr(range.prefix, { isHostBitsAllowed: true }),
    maxLength: range.maxLength,
  }));
  const withheld = new Set(
    routing.withheld.map((text) => parseCidr(text, { isHostBitsAllowed: true }).text),
  );
  const parsed = discovered.map((route) => ({
    route,
    cidr: parseCidr(route.prefix, { isHostBitsAllowed: true }),
  }));
  const judged = new Map<TParsedRoute, TRouteCandidate>();
  const announced = new Set<string>();
  const capped = new Set<string>();
  for (const item of [...parsed].sort(compareBySource)) judged.set(item, judgeOne(item));
  return [...parsed].sort(compareCandidates).map((item) => judged.get(item)!);

  function judgeOne({ route, cidr }: TParsedRoute): TRouteCandidate {
    const refuse = (refusal: TRouteRefusal, detail: string): TRouteCandidate => ({
      ...route,
      prefix: cidr.text,
      verdict: "refused",
      refusal,
      detail: detail.slice(0, 200),
    });
    if (!routing.mayOriginate) {
      return refuse("origination-disabled", "the node may not originate routes");
    }
    const denied = isAlwaysDenied(cidr);
    if (denied) return refuse("always-denied", denied);
    if (withheld.has(cidr.text)) {
      return refuse("withheld", "held back by the controller until an admin resolves a conflict");
    }
    const outOfRange = findRangeRefusal(cidr, ranges);
    if (outOfRange) return refuse(outOfRange.refusal, outOfRange.detail);
    if (!announced.has(cidr.text)) {
      if (capped.has(cidr.text) || announced.size >= routing.maxPrefixes) {
        capped.add(cidr.text);
        return refuse("prefix-cap", `over the node's cap of ${routing.maxPrefixes} prefixes`);
      }
      announced.add(cidr.text);
    }
    return { ...route, prefix: cidr.text, verdict: "announced", refusal: null, detail: null };
  }
}
