import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TTestDatabase } from "../src/testing";

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

const node = (n: number) => ({
  name: `node-${n}`,
  index: n,
  asn: 4200000000n + BigInt(n),
  ipv4: `10.128.0.${n}`,
  ipv6: `fd00:1:2::${n}`,
  endpoints: [`2001:db8::${n}`],
});

describe("the database enforces unique allocations", () => {
  it.each([
    ["name", { name: "node-1" }],
    ["index", { index: 1 }],
    ["asn", { asn: 4200000001n }],
    ["ipv4", { ipv4: "10.128.0.1" }],
    ["ipv6", { ipv6: "fd00:1:2::1" }],
  ])("refuses a second node with the same %s", async (_field, clash) => {
    await testDb.db.node.deleteMany();
    await testDb.db.node.create({ data: node(1) });
    await expect(testDb.db.node.create({ data: { ...node(2), ...clash } })).rejects.toMatchObject({
      code: "P2002",
    });
    expect(await testDb.db.node.count()).toBe(1);
  });

  it("refuses the same prefix twice on one node", async () => {
    await testDb.db.node.deleteMany();
    const { id } = await testDb.db.node.create({ data: node(3) });
    await testDb.db.advertisedPrefix.create({ data: { nodeId: id, cidr: "192.168.1.0/24" } });
    await expect(
      testDb.db.advertisedPrefix.create({ data: { nodeId: id, cidr: "192.168.1.0/24" } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });
});
