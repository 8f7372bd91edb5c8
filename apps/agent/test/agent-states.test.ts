// The agent as data (in the spirit of tailscale's TestRouterStates): successive configs, each
// with the one host it must leave behind, FRR managed and on. Each row starts from the host the
// row before left; a second pass after each row must change nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDesiredNodeConfig } from "@meshover/netcfg";
import { ManagedFrr } from "../src/frr/managed-frr";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { StateStore } from "../src/state/state-store";
import { FakeFrr, makeFakeFrrOptions } from "./fake-frr";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);

const withPrefix = (config: TDesiredNodeConfig): TDesiredNodeConfig => ({
  ...config,
  self: { ...config.self, advertisedPrefixes: ["192.168.50.0/24"] },
});

const STATES: { name: string; config: TDesiredNodeConfig; host: string }[] = [
  {
    name: "a lone node",
    config: makeTestConfig([], { version: 1 }),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=-`,
  },
  {
    name: "two peers join",
    config: makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 2 }),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
mo2 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51822
  peer AAAAAwAA endpoint=[2001:db8::2]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
mo3 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51823
  peer AAAABAAA endpoint=[2001:db8::3]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.conf.mo2.rp_filter=0
sysctl net.ipv4.conf.mo3.rp_filter=0
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
sysctl net.ipv6.conf.mo2.addr_gen_mode=1
sysctl net.ipv6.conf.mo3.addr_gen_mode=1
frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=mo2,mo3`,
  },
  {
    name: "peer 3 moves to another endpoint",
    config: makeTestConfig([makeTestPeer(2), makeTestPeer(3, "2001:db8::33")], { version: 3 }),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
mo2 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51822
  peer AAAAAwAA endpoint=[2001:db8::2]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
mo3 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51823
  peer AAAABAAA endpoint=[2001:db8::33]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.conf.mo2.rp_filter=0
sysctl net.ipv4.conf.mo3.rp_filter=0
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
sysctl net.ipv6.conf.mo2.addr_gen_mode=1
sysctl net.ipv6.conf.mo3.addr_gen_mode=1
frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=mo2,mo3`,
  },
  {
    name: "peer 2 leaves, peer 4 joins",
    config: makeTestConfig([makeTestPeer(3, "2001:db8::33"), makeTestPeer(4)], { version: 4 }),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
mo3 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51823
  peer AAAABAAA endpoint=[2001:db8::33]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
mo4 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51824
  peer AAAABQAA endpoint=[2001:db8::4]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.conf.mo3.rp_filter=0
sysctl net.ipv4.conf.mo4.rp_filter=0
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
sysctl net.ipv6.conf.mo3.addr_gen_mode=1
sysctl net.ipv6.conf.mo4.addr_gen_mode=1
frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=mo3,mo4`,
  },
  {
    name: "the node advertises a prefix",
    config: withPrefix(
      makeTestConfig([makeTestPeer(3, "2001:db8::33"), makeTestPeer(4)], { version: 5 }),
    ),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
mo3 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51823
  peer AAAABAAA endpoint=[2001:db8::33]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
mo4 wireguard up mtu 1420 fe80::1/64
  wg pub=AAAH0QAA port=51824
  peer AAAABQAA endpoint=[2001:db8::4]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.conf.mo3.rp_filter=0
sysctl net.ipv4.conf.mo4.rp_filter=0
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
sysctl net.ipv6.conf.mo3.addr_gen_mode=1
sysctl net.ipv6.conf.mo4.addr_gen_mode=1
frr asn=4200000001 networks=10.128.0.1/32,192.168.50.0/24,fd00::1/128 neighbors=mo3,mo4`,
  },
  {
    name: "every peer leaves",
    config: withPrefix(makeTestConfig([], { version: 6 })),
    host: `eth0 ether up mtu 1500 2001:db8::1/64
lo loopback up mtu 65536 127.0.0.1/8 ::1/128
meshover0 dummy up mtu 1500 10.128.0.1/32 fd00::1/128
sysctl net.ipv4.conf.all.rp_filter=0
sysctl net.ipv4.conf.eth0.rp_filter=1
sysctl net.ipv4.conf.meshover0.rp_filter=2
sysctl net.ipv4.ip_forward=1
sysctl net.ipv6.conf.all.forwarding=1
frr asn=4200000001 networks=10.128.0.1/32,192.168.50.0/24,fd00::1/128 neighbors=-`,
  },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-states-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("agent states (fake host, managed FRR)", () => {
  it("leaves exactly the listed host after each config, and a second pass changes nothing", async () => {
    const logger = pino({ level: "silent" });
    const store = new StateStore(join(dir, "state"));
    store.ensureDir();
    store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
    const frrOptions = makeFakeFrrOptions(dir);
    const fake = new FakeHost({
      hasKernelWireguard: true,
      hasDummy: true,
      keys: { [PRIVATE]: PUBLIC },
      socketDir: join(dir, "wg"),
      frr: new FakeFrr(frrOptions),
    });
    const host = createFakeHostDriver(fake, { store, logger });
    const frr = new ManagedFrr({ runner: fake, logger, store, ...frrOptions });
    const seen: string[] = [];
    for (const state of STATES) {
      // As the daemon does: a new config plans FRR from its known state.
      const outcome = await reconcileHost({
        config: state.config,
        host,
        frr,
        store,
        logger,
        isFullObserve: false,
      });
      expect(outcome.error, state.name).toBeNull();
      seen.push(`${state.name}:\n${fake.dump()}`);
      const again = await reconcileHost({ config: state.config, host, frr, store, logger });
      expect(again.operations, state.name).toEqual([]);
    }
    expect(seen).toEqual(STATES.map((state) => `${state.name}:\n${state.host}`));
  });
});
