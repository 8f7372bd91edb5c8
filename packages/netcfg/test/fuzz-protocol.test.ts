// Fuzzing what crosses the network between agent and controller: health reports (agent →
// controller, stored in Postgres) and the config stream with its deltas (controller → agent).
// A schema never throws, and what it accepts the database can store: no NUL or lone surrogate
// in any string, integer columns within int32, dates within 1970..9999. A delta that parses
// applies or is refused with NetcfgError, never a crash in the agent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  INT32_MAX,
  ZDesiredNodeConfig,
  ZHealthReport,
  ZNodeConfigUpdate,
  applyConfigUpdate,
  compileMesh,
  diffPeerLists,
  isNetcfgError,
  isStorableText,
  makeConfigDelta,
  type TMeshNode,
} from "../src/index";
import { TEST_MESH_SETTINGS } from "../src/test-fixtures";
import { FUZZ_PARAMETERS, mutateJson } from "./fuzz-helpers";

const KEY = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;

const VALID_REPORT = {
  agentVersion: "0.1.0",
  hostInfo: {
    hostname: "node1",
    kernel: "6.1.0",
    wireguard: "kernel",
    frrMode: "system",
    frrVersion: "8.4.4",
    addressDevice: "meshover0",
  },
  endpoints: ["2001:db8::1", "192.0.2.1"],
  publicKey: KEY,
  rotationId: null,
  appliedVersion: 7,
  applyError: null,
  peers: [
    {
      peerId: uuid(2),
      interface: "mo2",
      peerPublicKey: KEY,
      handshakeAt: "2026-12-06T08:00:00.000Z",
      rxBytes: 1000,
      txBytes: 2000,
      bgpState: "Established",
      bgpUptimeSec: 3600,
      bfdState: "Up",
      prefixesReceived: 3,
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 1.25,
    },
  ],
};

// Columns of type integer that report fields land in.
const INT32_FIELDS = new Set(["bgpUptimeSec", "prefixesReceived", "mtuConfigured", "mtuMeasured"]);

/** Every problem Postgres would have storing `value` (empty when none). */
function findUnstorable(value: unknown, key = ""): string[] {
  if (typeof value === "string") {
    const problems = isStorableText(value) ? [] : [`${key}: unstorable text`];
    if (key === "handshakeAt") {
      const year = Number(value.slice(0, 4));
      if (!(year >= 1970 && year <= 9999)) problems.push(`${key}: year ${year}`);
    }
    return problems;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return [`${key}: not finite`];
    if (INT32_FIELDS.has(key) && (value > INT32_MAX || value < -INT32_MAX - 1)) {
      return [`${key}: ${value} beyond int32`];
    }
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return [`${key}: unsafe integer`];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item) => findUnstorable(item, key));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([child, item]) => findUnstorable(item, child));
  }
  return [];
}

function makeNode(index: number, variant = 0): TMeshNode {
  return {
    id: uuid(index),
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd12:3456:789a::${index}`,
    publicKey: KEY,
    endpoints: [`2001:db8::${index + variant}`],
    advertisedPrefixes: variant ? ["192.168.50.0/24"] : [],
    pendingRotationId: null,
  };
}

describe("agent protocol under fuzzing", () => {
  it("accepts the unmodified report (the mutations start from a valid one)", () => {
    expect(ZHealthReport.safeParse(VALID_REPORT).success).toBe(true);
  });

  it("a health report the schema accepts is storable; the schema never throws", () => {
    fc.assert(
      fc.property(mutateJson(VALID_REPORT), (report) => {
        const result = ZHealthReport.safeParse(report);
        if (result.success) expect(findUnstorable(result.data)).toEqual([]);
      }),
      FUZZ_PARAMETERS,
    );
  });

  it("a config stream event that parses applies or is refused with NetcfgError", () => {
    const before = compileMesh({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes: [makeNode(1), makeNode(2), makeNode(3)],
    });
    const after = compileMesh({
      version: 2,
      settings: TEST_MESH_SETTINGS,
      nodes: [makeNode(1), makeNode(2, 1), makeNode(4)],
    });
    const base = before.configs[0]!;
    const next = after.configs.find((config) => config.self.id === base.self.id)!;
    const delta = makeConfigDelta(1, next, diffPeerLists(before.peers, after.peers));
    expect(applyConfigUpdate(base, delta)).toEqual(next);
    const event = fc.oneof(mutateJson(delta), mutateJson(next), mutateJson(base));
    fc.assert(
      fc.property(event, fc.boolean(), (update, hasBase) => {
        const parsed = ZNodeConfigUpdate.safeParse(update);
        if (!parsed.success) return;
        try {
          const applied = applyConfigUpdate(hasBase ? base : null, parsed.data);
          expect(ZDesiredNodeConfig.safeParse(applied).success).toBe(true);
        } catch (error) {
          if (!isNetcfgError(error)) throw error;
        }
      }),
      FUZZ_PARAMETERS,
    );
  });
});
