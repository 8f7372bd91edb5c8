import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocateAddress,
  allocateAsn,
  allocateIpv4,
  allocateIpv6,
  allocateNodeIdentity,
  allocateNodeIndex,
  getMaxNodeIndex,
  getPoolRange,
  PRIVATE_ASN_MAX,
  PRIVATE_ASN_MIN,
} from "./allocate-identity";
import { NetcfgError } from "./netcfg-error";
import { formatAddress, isAddressInCidr, parseAddress } from "./parse-cidr";

function expectCode(run: () => unknown, code: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NetcfgError);
    expect((error as NetcfgError).code).toBe(code);
    return;
  }
  throw new Error(`expected a NetcfgError ${code}`);
}

/** Allocates from `pool` until exhaustion; returns everything it handed out. */
function drainPool(pool: string, preTaken: string[]): { handed: string[]; error: unknown } {
  const taken = [...preTaken];
  const handed: string[] = [];
  for (;;) {
    try {
      const address = allocateAddress({ pool, taken });
      handed.push(address);
      taken.push(address);
    } catch (error) {
      return { handed, error };
    }
    if (handed.length > 100000) throw new Error("runaway allocation");
  }
}

describe("address allocation", () => {
  it("hands out the lowest free address, skipping network and broadcast", () => {
    expect(allocateIpv4("10.128.0.0/16", [])).toBe("10.128.0.1");
    expect(allocateIpv4("10.128.0.0/16", ["10.128.0.1", "10.128.0.3/32"])).toBe("10.128.0.2");
    expect(allocateIpv6("fd12:3456:789a::/48", [])).toBe("fd12:3456:789a::1");
    expect(allocateIpv6("fd12:3456:789a::/48", ["fd12:3456:789a::1/128"])).toBe(
      "fd12:3456:789a::2",
    );
    expect(allocateIpv4("10.0.0.0/30", ["10.0.0.1"])).toBe("10.0.0.2");
    expectCode(() => allocateIpv4("10.0.0.0/30", ["10.0.0.1", "10.0.0.2"]), "POOL_EXHAUSTED");
  });

  it("documents the pool sizes", () => {
    expect(getPoolRange("10.128.0.0/16").size).toBe(65534n);
    expect(getPoolRange("10.0.0.0/31").size).toBe(2n);
    expect(getPoolRange("10.0.0.1/32").size).toBe(1n);
    expect(getPoolRange("fd00::/120").size).toBe(255n);
    expect(getPoolRange("fd00::/127").size).toBe(2n);
    expect(getPoolRange("fd12:3456:789a::/48").size).toBe(2n ** 80n - 1n);
  });

  it("ignores taken addresses outside the pool and of the other family", () => {
    expect(allocateIpv4("10.128.0.0/16", ["10.0.0.1", "fd00::1"])).toBe("10.128.0.1");
  });

  it("refuses a pool of the wrong family, a bad pool and bad taken entries", () => {
    expectCode(() => allocateIpv4("fd00::/8", []), "INVALID_POOL");
    expectCode(() => allocateIpv6("10.0.0.0/8", []), "INVALID_POOL");
    expectCode(() => allocateIpv4("10.128.0.1/16", []), "INVALID_CIDR");
    expectCode(() => allocateIpv4("10.128.0.0/16", ["not-an-ip"]), "INVALID_ADDRESS");
  });

  it("property: never a duplicate, always inside the pool, exhaustion exactly at pool size", () => {
    const poolArb = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 26, max: 32 }))
        .map(([octet, length]) => `10.${octet}.0.0/${length}`),
      fc
        .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 122, max: 128 }))
        .map(([group, length]) => `fd00:${group.toString(16)}::/${length}`),
    );
    fc.assert(
      fc.property(poolArb, fc.array(fc.nat({ max: 300 }), { maxLength: 20 }), (pool, offsets) => {
        const range = getPoolRange(pool);
        // Pre-taken addresses picked from the usable range (duplicates allowed on purpose).
        const preTaken = [
          ...new Set(offsets.map((offset) => range.first + (BigInt(offset) % range.size))),
        ];
        const preTakenText = preTaken.map((value) => formatAddress(range.family, value));
        const { handed, error } = drainPool(pool, preTakenText);
        expect(error).toBeInstanceOf(NetcfgError);
        expect((error as NetcfgError).code).toBe("POOL_EXHAUSTED");
        expect(new Set([...handed, ...preTakenText]).size).toBe(handed.length + preTaken.length);
        expect(BigInt(handed.length + preTaken.length)).toBe(range.size);
        for (const address of handed) expect(isAddressInCidr(address, pool)).toBe(true);
        // Lowest free first: the handed-out sequence is ascending.
        const values = handed.map((address) => parseAddress(address).value);
        expect(values).toEqual([...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
      { numRuns: 100 },
    );
  });
});

describe("node index and ASN allocation", () => {
  it("allocates the lowest free index from 1", () => {
    expect(allocateNodeIndex({ taken: [] })).toBe(1);
    expect(allocateNodeIndex({ taken: [1, 2, 4] })).toBe(3);
    expect(allocateNodeIndex({ taken: [2, 3] })).toBe(1);
    expectCode(() => allocateNodeIndex({ taken: [1, 2], maxIndex: 2 }), "POOL_EXHAUSTED");
    expect(getMaxNodeIndex(51820)).toBe(13715);
  });

  it("allocates private ASNs and checks the range", () => {
    expect(allocateAsn({ taken: [] })).toBe(PRIVATE_ASN_MIN);
    expect(allocateAsn({ taken: [PRIVATE_ASN_MIN] })).toBe(PRIVATE_ASN_MIN + 1);
    expect(allocateAsn({ taken: [], asnMin: PRIVATE_ASN_MAX, asnMax: PRIVATE_ASN_MAX })).toBe(
      PRIVATE_ASN_MAX,
    );
    expectCode(() => allocateAsn({ taken: [], asnMin: 65000, asnMax: 65010 }), "INVALID_POOL");
    expectCode(
      () => allocateAsn({ taken: [], asnMin: PRIVATE_ASN_MIN + 5, asnMax: PRIVATE_ASN_MIN }),
      "INVALID_POOL",
    );
  });

  it("property: index and ASN never duplicate and exhaust exactly at range size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 30 }),
        (size, preTaken) => {
          const asnMin = PRIVATE_ASN_MIN + 1000;
          const asnMax = asnMin + size - 1;
          const takenAsns = preTaken.map((offset) => asnMin + offset);
          const takenIndexes = [...preTaken];
          const inRangeAsns = new Set(takenAsns.filter((asn) => asn <= asnMax));
          const inRangeIndexes = new Set(takenIndexes.filter((i) => i >= 1 && i <= size));
          let asnCount = 0;
          let indexCount = 0;
          for (;;) {
            let asn: number;
            try {
              asn = allocateAsn({ taken: takenAsns, asnMin, asnMax });
            } catch (error) {
              expect((error as NetcfgError).code).toBe("POOL_EXHAUSTED");
              break;
            }
            expect(takenAsns).not.toContain(asn);
            expect(asn >= asnMin && asn <= asnMax).toBe(true);
            takenAsns.push(asn);
            asnCount += 1;
          }
          for (;;) {
            let index: number;
            try {
              index = allocateNodeIndex({ taken: takenIndexes, maxIndex: size });
            } catch (error) {
              expect((error as NetcfgError).code).toBe("POOL_EXHAUSTED");
              break;
            }
            expect(takenIndexes).not.toContain(index);
            expect(index >= 1 && index <= size).toBe(true);
            takenIndexes.push(index);
            indexCount += 1;
          }
          expect(asnCount + inRangeAsns.size).toBe(size);
          expect(indexCount + inRangeIndexes.size).toBe(size);
        },
      ),
    );
  });

  it("allocates a whole identity", () => {
    const identity = allocateNodeIdentity({
      ipv4Pool: "10.128.0.0/16",
      ipv6Pool: "fd12:3456:789a::/48",
      basePort: 51820,
      nodes: [{ index: 1, asn: PRIVATE_ASN_MIN, ipv4: "10.128.0.1", ipv6: "fd12:3456:789a::1" }],
    });
    expect(identity).toEqual({
      index: 2,
      asn: PRIVATE_ASN_MIN + 1,
      ipv4: "10.128.0.2",
      ipv6: "fd12:3456:789a::2",
    });
  });
});
