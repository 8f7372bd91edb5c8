import { describe, expect, it } from "vitest";
import {
  classifyReach,
  describeReach,
  indexReach,
  reachKey,
  type TPairReach,
} from "./describe-reach";

const A = "00000000-0000-4000-8000-000000000001";
const B = "00000000-0000-4000-8000-000000000002";
const R1 = "00000000-0000-4000-8000-000000000003";
const R2 = "00000000-0000-4000-8000-000000000004";
const names = new Map([
  [R1, "relay1"],
  [R2, "relay2"],
]);
const pair = (patch: Partial<TPairReach>): TPairReach => ({
  a: A,
  b: B,
  kind: "direct",
  family: "ipv6",
  reason: null,
  reasonText: null,
  relays: [],
  ...patch,
});

describe("describeReach", () => {
  it("names the four kinds the topology draws", () => {
    expect(describeReach(pair({}), names)).toBe("direct IPv6");
    expect(classifyReach(pair({ family: "ipv4" }))).toBe("direct-ipv4");
    const via = pair({
      kind: "via",
      family: null,
      reason: "no-common-family",
      relays: [[R1], [R2]],
    });
    expect(describeReach(via, names)).toBe("via relay1 or relay2");
    expect(describeReach(pair({ kind: "via", family: null, relays: [[R1, R2]] }), names)).toBe(
      "via relay1 → relay2",
    );
    const unreachable = pair({
      kind: "unreachable",
      family: null,
      reason: "both-behind-nat",
      reasonText: "both nodes are behind NAT",
    });
    expect(describeReach(unreachable, names)).toBe("unreachable: both nodes are behind NAT");
  });

  it("indexes pairs by an order-free key", () => {
    expect(indexReach([pair({})]).get(reachKey(B, A))?.a).toBe(A);
  });
});
