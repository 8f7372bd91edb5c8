import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TDesiredNodeConfig, TPeerConfig } from "@meshover/netcfg";
import { teardownHost } from "../src/commands/teardown-host";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);
const ROTATED_PRIVATE = makeTestKey(1001);
const ROTATED_PUBLIC = makeTestKey(2001);

function makeConfig(peers: TPeerConfig[], version = 1): TDesiredNodeConfig {
  return makeTestConfig(peers, { version });
}

const logger = pino({ level: "silent" });
let dir: string;
let store: StateStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-test-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setUp(options: { hasKernelWireguard: boolean; hasDummy?: boolean }) {
  const fake = new FakeHost({
    hasKernelWireguard: options.hasKernelWireguard,
    hasDummy: options.hasDummy ?? false,
    keys: { [PRIVATE]: PUBLIC, [ROTATED_PRIVATE]: ROTATED_PUBLIC },
    socketDir: join(dir, "wireguard"),
  });
  const host = createFakeHostDriver(fake, { store, logger });
  const frr = null;
  const reconcile = async (config: TDesiredNodeConfig) => {
    const outcome = await reconcileHost({ config, host, frr, store, logger });
    expect(fake.unexpected).toEqual([]);
    return outcome;
  };
  return { fake, host, frr, reconcile };
}

describe("reconcileHost on a fake host", () => {
  it("builds a node with kernel WireGuard, then does nothing on a second pass", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true });
    const outcome = await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    expect(outcome.error).toBeNull();
    expect(fake.dump()).toMatchInlineSnapshot(`
      "eth0 ether up mtu 1500 2001:db8::1/64
      lo loopback up mtu 65536 10.128.0.1/32 127.0.0.1/8 ::1/128 fd00::1/128
      mo2 wireguard up mtu 1420 fe80::1/64
        wg pub=AAAH0QAA port=51822
        peer AAAAAwAA endpoint=[2001:db8::2]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
      mo3 wireguard up mtu 1420 fe80::1/64
        wg pub=AAAH0QAA port=51823
        peer AAAABAAA endpoint=[2001:db8::3]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
      sysctl net.ipv4.conf.all.rp_filter=0
      sysctl net.ipv4.conf.eth0.rp_filter=1
      sysctl net.ipv4.conf.mo2.rp_filter=0
      sysctl net.ipv4.conf.mo3.rp_filter=0
      sysctl net.ipv4.ip_forward=1
      sysctl net.ipv6.conf.all.forwarding=1
      sysctl net.ipv6.conf.mo2.addr_gen_mode=1
      sysctl net.ipv6.conf.mo3.addr_gen_mode=1"
    `);
    fake.takeMutations();
    const again = await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    expect(again.operations).toEqual([]);
    expect(fake.takeMutations()).toBe("");
    expect(store.readOwned()).toMatchObject({
      links: ["mo2", "mo3"],
      addresses: [
        { device: "lo", cidr: "10.128.0.1/32" },
        { device: "lo", cidr: "fd00::1/128" },
      ],
    });
  });

  it("falls back to wireguard-go and records its PIDs", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: false });
    const outcome = await reconcile(makeConfig([makeTestPeer(2)]));
    expect(outcome.error).toBeNull();
    expect(fake.takeMutations()).toMatchInlineSnapshot(`
      "spawn wireguard-go -f mo2
      ip addr add 10.128.0.1/32 dev lo
      ip addr add fd00::1/128 dev lo nodad
      sysctl -q -w net.ipv6.conf.mo2.addr_gen_mode=1
      wg set mo2 private-key <keyfile> listen-port 51822 peer AAAAAwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= endpoint [2001:db8::2]:51821 allowed-ips 0.0.0.0/0,::/0 persistent-keepalive 25
      ip link set dev mo2 mtu 1420
      ip addr add fe80::1/64 dev mo2 nodad
      ip link set dev mo2 up
      sysctl -q -w net.ipv4.conf.mo2.rp_filter=0
      sysctl -q -w net.ipv4.conf.all.rp_filter=0
      sysctl -q -w net.ipv4.ip_forward=1
      sysctl -q -w net.ipv6.conf.all.forwarding=1"
    `);
    expect(store.readOwned().wireguardGo).toEqual({ mo2: 90001 });
    expect(store.readHostFacts()).toEqual({ wireguardMode: "wireguard-go", addressDevice: "lo" });
  });

  it("builds many wireguard-go tunnels side by side and records every PID and link", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: false });
    // Commands answer a turn later, so the ones in flight together show; the loopback's
    // addresses wait until every tunnel has asked for its `ip -batch` (or 2 s): no tunnel may
    // wait for another device's step.
    let inFlight = 0;
    let mostInFlight = 0;
    const batched = new Set<string>();
    const run = fake.run.bind(fake);
    let releaseLoopback = () => {};
    let isReleasedByTunnels = false;
    const loopbackHeld = new Promise<void>((resolve) => {
      releaseLoopback = () => {
        isReleasedByTunnels = true;
        resolve();
      };
      setTimeout(resolve, 2000);
    });
    fake.run = async (argv, options) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const input = options?.input ?? "";
      if (argv.join(" ") === "ip -batch -" && input.includes(" dev lo")) await loopbackHeld;
      else await new Promise((resolve) => setImmediate(resolve));
      if (argv.join(" ") === "ip -batch -") {
        batched.add(/dev (mo\d+)/.exec(input)?.[1] ?? "lo");
        if (!batched.has("lo") && batched.size === 12) releaseLoopback();
      }
      inFlight -= 1;
      return run(argv, options);
    };
    let ownedWrites = 0;
    const writeOwned = store.writeOwned.bind(store);
    store.writeOwned = (owned) => {
      ownedWrites += 1;
      writeOwned(owned);
    };
    const peers = Array.from({ length: 12 }, (_, i) => makeTestPeer(i + 2));
    const started = Date.now();
    const outcome = await reconcile(makeConfig(peers));
    expect(outcome.error).toBeNull();
    expect(isReleasedByTunnels, "every tunnel reached its ip -batch before the loopback").toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(batched.size).toBe(13);
    expect(mostInFlight).toBeGreaterThanOrEqual(12);
    // owned.json (write and rename) once for everything the pass adds and once per
    // wireguard-go PID, not per step (86 writes before).
    expect(ownedWrites).toBeLessThanOrEqual(1 + 12);
    const owned = store.readOwned();
    const devices = peers.map((peer) => `mo${peer.index}`);
    expect([...owned.links].sort()).toEqual([...devices].sort());
    expect(Object.keys(owned.wireguardGo).sort()).toEqual([...devices].sort());
    expect(new Set(Object.values(owned.wireguardGo)).size).toBe(devices.length);
    // Each device's own commands stay in plan order.
    const mutations = fake.takeMutations().split("\n");
    for (const device of devices) {
      const mine = mutations.filter(
        (line) => line.includes(` ${device} `) || line.endsWith(` ${device}`),
      );
      expect(mine[0]).toBe(`spawn wireguard-go -f ${device}`);
      expect(mine.at(-1)).toBe(`ip link set dev ${device} up`);
    }
    expect((await reconcile(makeConfig(peers))).operations).toEqual([]);
  });

  it("uses meshover0 where dummy links exist", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true, hasDummy: true });
    await reconcile(makeConfig([]));
    expect(fake.dump()).toContain("meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128");
    expect(fake.dump()).toContain("lo loopback up mtu 65536 127.0.0.1/8 ::1/128");
  });

  it("changes one peer with one command and touches no other tunnel", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true });
    const peers = Array.from({ length: 20 }, (_, i) => makeTestPeer(i + 2));
    await reconcile(makeConfig(peers));
    fake.takeMutations();
    const changed = peers.map((peer) =>
      peer.index === 7 ? makeTestPeer(7, "2001:db8::77") : peer,
    );
    const outcome = await reconcile(makeConfig(changed, 2));
    expect(outcome.operations.map((operation) => operation.op)).toEqual(["wg-set-peer"]);
    expect(fake.takeMutations()).toMatchInlineSnapshot(
      `"wg set mo7 peer AAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= endpoint [2001:db8::77]:51821 allowed-ips 0.0.0.0/0,::/0 persistent-keepalive 25"`,
    );
  });

  it("removes a peer's tunnel and keeps links it does not own", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true });
    fake.links.push({
      name: "mo9",
      kind: "ether",
      mtu: 1500,
      isUp: true,
      addresses: [],
      wireguard: null,
    });
    await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    fake.takeMutations();
    const outcome = await reconcile(makeConfig([makeTestPeer(3), makeTestPeer(9)], 2));
    expect(outcome.conflicts).toEqual([
      { device: "mo9", reason: "exists but was not created by meshover" },
    ]);
    expect(fake.takeMutations()).toBe("ip link del dev mo2");
    expect(fake.dump()).toContain("mo9 ether up mtu 1500");
  });

  it("repairs after a failed command and after drift", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true });
    fake.failNext = "ip link set dev mo3 up";
    const failed = await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    expect(failed.error).toMatch(/injected failure: ip link set dev mo3 up/);
    fake.takeMutations();
    const repaired = await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    expect(repaired.error).toBeNull();
    expect(fake.takeMutations()).toMatchInlineSnapshot(`
      "ip link set dev mo3 up
      sysctl -q -w net.ipv4.conf.mo3.rp_filter=0
      sysctl -q -w net.ipv4.conf.all.rp_filter=0
      sysctl -q -w net.ipv4.ip_forward=1
      sysctl -q -w net.ipv6.conf.all.forwarding=1"
    `);
    // Someone deletes a tunnel: the next pass rebuilds exactly that one.
    await fake.run(["ip", "link", "del", "dev", "mo2"]);
    fake.takeMutations();
    await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    expect(
      fake
        .takeMutations()
        .split("\n")
        .every((line) => line.includes("mo2")),
    ).toBe(true);
    expect((await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]))).operations).toEqual(
      [],
    );
  });

  it("applies a rotated key to every tunnel", async () => {
    const { fake, reconcile } = setUp({ hasKernelWireguard: true });
    await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    fake.takeMutations();
    store.writeKeys({
      privateKey: ROTATED_PRIVATE,
      publicKey: ROTATED_PUBLIC,
      rotationId: "00000000-0000-4000-8000-0000000000ff",
    });
    await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)], 2));
    expect(fake.takeMutations()).toMatchInlineSnapshot(`
      "wg set mo2 private-key <keyfile>
      wg set mo3 private-key <keyfile>"
    `);
    expect(fake.dump()).toContain(`wg pub=${ROTATED_PUBLIC.slice(0, 8)} port=51822`);
  });

  it("tears down only what it created", async () => {
    const { fake, host, frr, reconcile } = setUp({ hasKernelWireguard: false });
    fake.links[0]?.addresses.push("10.200.0.1/32");
    await reconcile(makeConfig([makeTestPeer(2), makeTestPeer(3)]));
    fake.takeMutations();
    const errors = await teardownHost({ store, runner: fake, logger, frr, host });
    expect(errors).toEqual([]);
    expect(fake.dump()).toMatchInlineSnapshot(`
      "eth0 ether up mtu 1500 2001:db8::1/64
      lo loopback up mtu 65536 10.200.0.1/32 127.0.0.1/8 ::1/128
      sysctl net.ipv4.conf.all.rp_filter=0
      sysctl net.ipv4.conf.eth0.rp_filter=1
      sysctl net.ipv4.ip_forward=1
      sysctl net.ipv6.conf.all.forwarding=1"
    `);
    expect(store.readOwned()).toMatchObject({ links: [], addresses: [], wireguardGo: {} });
  });

  it("teardown stops a wireguard-go whose link is already gone (through the runner)", async () => {
    const { fake, host, frr, reconcile } = setUp({ hasKernelWireguard: false });
    await reconcile(makeConfig([makeTestPeer(2)]));
    const pid = store.readOwned().wireguardGo.mo2;
    expect(pid).toBeDefined();
    // The tun vanished but the process lingers (e.g. after a crash mid-teardown).
    fake.links = fake.links.filter((link) => link.name !== "mo2");
    fake.takeMutations();
    const errors = await teardownHost({ store, runner: fake, logger, frr, host });
    expect(errors).toEqual([]);
    expect(fake.takeMutations()).toContain(`kill -TERM ${pid}`);
    expect(fake.processes.size).toBe(0);
    expect(store.readOwned()).toMatchObject({ links: [], wireguardGo: {} });
  });
});
