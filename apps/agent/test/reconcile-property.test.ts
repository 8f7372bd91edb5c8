import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { TDesiredNodeConfig } from "@meshover/netcfg";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { StateStore } from "../src/state/state-store";
import { makeTestConfig, makeTestPeer, TEST_MESH_SETTINGS } from "./test-config";
import { ManagedFrr } from "../src/frr/managed-frr";
import { FakeFrr, makeFakeFrrOptions } from "./fake-frr";
import { createFakeHostDriver, FakeHost } from "./fake-host";

const key = (seed: number) => {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed + 1, 0);
  return bytes.toString("base64");
};

function makeConfig(
  peers: { index: number; endpoint: number }[],
  mtu: number | null,
): TDesiredNodeConfig {
  return makeTestConfig(
    peers.map(({ index, endpoint }) => ({
      ...makeTestPeer(index),
      publicKey: key(index),
      endpoints: endpoint === 0 ? [] : [`2001:db8::${endpoint.toString(16)}`],
    })),
    { settings: { ...TEST_MESH_SETTINGS, tunnelMtu: mtu } },
  );
}

const arbConfig = fc
  .record({
    peers: fc.uniqueArray(
      fc.record({
        index: fc.integer({ min: 2, max: 12 }),
        endpoint: fc.integer({ min: 0, max: 3 }),
      }),
      { selector: (peer) => peer.index, maxLength: 6 },
    ),
    mtu: fc.constantFrom(null, 1380),
  })
  .map(({ peers, mtu }) => makeConfig(peers, mtu));

describe("reconcileHost (property, fake host)", () => {
  it("converges any sequence of configs (managed FRR on); a second pass changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbConfig, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (configs, hasKernelWireguard) => {
          const dir = mkdtempSync(join(tmpdir(), "mo-agent-prop-"));
          try {
            const logger = pino({ level: "silent" });
            const frrOptions = makeFakeFrrOptions(dir);
            const store = new StateStore(join(dir, "state"));
            store.ensureDir();
            const privateKey = key(5000);
            store.writeKeys({ privateKey, publicKey: key(6000), rotationId: null });
            const fake = new FakeHost({
              hasKernelWireguard,
              hasDummy: false,
              keys: { [privateKey]: key(6000) },
              socketDir: join(dir, "wg"),
              frr: new FakeFrr(frrOptions),
            });
            const host = createFakeHostDriver(fake, { store, logger });
            const frr = new ManagedFrr({ runner: fake, logger, store, ...frrOptions });
            for (const config of configs) {
              const first = await reconcileHost({ config, host, frr, store, logger });
              expect(first.error).toBeNull();
              fake.takeMutations();
              const second = await reconcileHost({ config, host, frr, store, logger });
              expect(second.operations).toEqual([]);
              expect(fake.takeMutations()).toBe("");
              // Exactly one tunnel per peer, nothing else of ours.
              const tunnels = fake.links
                .filter((link) => /^mo\d+$/.test(link.name))
                .map((l) => l.name);
              expect(tunnels.sort()).toEqual(config.peers.map((p) => `mo${p.index}`).sort());
              expect(store.readOwned().links.sort()).toEqual(tunnels.sort());
            }
            expect(fake.unexpected).toEqual([]);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
