// Fuzzing the tRPC inputs through createCaller on a real database: valid inputs with one to
// three values replaced by their limits (NUL bytes, lone surrogates, int32/int53 edges, year
// 0000, huge strings, wrong shapes). Every call resolves or is refused with a 4xx code; an
// INTERNAL_SERVER_ERROR (a 500) means an input reached the database unchecked. ssh.start and
// ssh.probe are left out: a valid mutation would make them connect to a random host.
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUZZ_PARAMETERS, mutateJson } from "@meshover/netcfg/fuzz-helpers";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest, makeHealthReport } from "./http-client";

let testDb: TTestDatabase;
let admin: Awaited<ReturnType<typeof signInAs>>;
let agent: ReturnType<typeof callAs>;
let nodeId: string;
let peerId: string;
let enrollToken: string;

// Database round trips make each call cost milliseconds: a third of the pure budget.
const PARAMETERS = {
  ...FUZZ_PARAMETERS,
  numRuns: Math.max(20, Math.round(FUZZ_PARAMETERS.numRuns / 3)),
};

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  admin = await signInAs(testDb.db, { email: "fuzz@example.com", role: "admin" });
  const actor = { id: null, email: "test" };
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
  const anonymous = callAs(testDb.db);
  const a = await anonymous.agent.enroll(makeEnrollRequest(token, "alpha"));
  const b = await anonymous.agent.enroll(makeEnrollRequest(token, "beta"));
  nodeId = a.nodeId;
  peerId = b.nodeId;
  agent = callAs(testDb.db, { authorization: `Bearer ${a.credential}` });
  enrollToken = (await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 1000 })).token;
});
afterAll(async () => {
  await testDb?.drop();
});

type TCall = (input: never) => Promise<unknown>;
const CASES: { path: string; call: () => TCall; input: () => unknown }[] = [
  {
    path: "auth.login",
    call: () => callAs(testDb.db).auth.login,
    input: () => ({ email: "fuzz@example.com", password: "wrong password" }),
  },
  {
    path: "agent.enroll",
    call: () => callAs(testDb.db).agent.enroll,
    input: () => makeEnrollRequest(enrollToken, "gamma"),
  },
  { path: "agent.report", call: () => agent.agent.report, input: () => makeHealthReport([peerId]) },
  {
    path: "node.setPrefixes",
    call: () => admin.node.setPrefixes,
    input: () => ({
      nodeId,
      prefixes: [{ cidr: "192.168.77.0/24", description: "lab", isAnycast: false }],
    }),
  },
  { path: "node.rename", call: () => admin.node.rename, input: () => ({ nodeId, name: "alpha" }) },
  {
    path: "token.create",
    call: () => admin.token.create,
    input: () => ({ ttlSec: 600, usesAllowed: 1, nodeName: "delta" }),
  },
  {
    path: "settings.update",
    call: () => admin.settings.update,
    input: () => ({ healthIntervalSec: 5, underlayMtu: 1500, basePort: 51820 }),
  },
  {
    path: "audit.list",
    call: () => admin.audit.list,
    input: () => ({ limit: 10, cursor: "5", action: "node.", targetId: nodeId }),
  },
  {
    path: "history.readPeerHistory",
    call: () => admin.history.readPeerHistory,
    input: () => ({ nodeId, minutes: 60 }),
  },
  {
    path: "key.listRotations",
    call: () => admin.key.listRotations,
    input: () => ({ nodeId, limit: 5 }),
  },
];

describe("tRPC inputs under fuzzing", () => {
  it.each(CASES)("$path answers 4xx or succeeds, never 500", async ({ call, input }) => {
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutateJson(input()), async (mutated) => {
        try {
          await call()(mutated as never);
          codes.set("OK", (codes.get("OK") ?? 0) + 1);
        } catch (error) {
          if (!(error instanceof TRPCError)) throw error;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          if (error.code === "INTERNAL_SERVER_ERROR") {
            throw new Error(`500 for ${JSON.stringify(mutated)}`, { cause: error });
          }
        }
      }),
      PARAMETERS,
    );
    expect([...codes.values()].reduce((sum, n) => sum + n, 0)).toBe(PARAMETERS.numRuns);
  });
});
