import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "../compile-node-configs";
import { deriveFrrConfig } from "../derive-frr-config";
import { deriveTunnels } from "../derive-tunnels";
import { NetcfgError } from "../netcfg-error";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "../test-fixtures";
import { deriveDesiredHost, toPlanTunnel } from "./derive-desired-host";
import { EMPTY_DESIRED_HOST, type THostState } from "./host-state";
import { planHost } from "./plan-host";
import { DEVICE_CONCURRENCY, scheduleHostPlan, type THostSchedule } from "./schedule-plan";

const makeNode = (index: number) => makeTestMeshNode(index);

const config = compileNodeConfigs({
  version: 1,
  settings: TEST_MESH_SETTINGS,
  nodes: [makeNode(1), makeNode(2), makeNode(3)],
})[0]!;
const desired = deriveDesiredHost({
  config,
  tunnels: deriveTunnels(config).map(toPlanTunnel),
  publicKey: makeTestMeshNode(1).publicKey ?? "",
  addressDevice: "meshover0",
  isFrrManaged: true,
});
const BARE_HOST: THostState = {
  links: [{ name: "lo", kind: "loopback", mtu: 65536, isUp: true, addresses: [], wireguard: null }],
  sysctls: {},
  frr: null,
};
const options = {
  wireguardMode: "kernel" as const,
  privateKeyFile: "/state/private.key",
  frrModel: deriveFrrConfig(config),
};

/** A schedule as text: one line per step (devices, then global, then FRR). */
function dumpSchedule(schedule: THostSchedule): string {
  const lines: string[] = [];
  const dumpStep = (step: THostSchedule["global"][number]) => {
    if (step.kind === "sysctl")
      return `sysctl ${step.operations.map((o) => `${o.key}=${o.value}`).join(" ")}`;
    const input = step.kind === "command" && step.input ? ` <<< ${JSON.stringify(step.input)}` : "";
    return `${step.kind}: ${step.argv.join(" ")}${input}`;
  };
  schedule.devices.forEach((steps, index) => {
    lines.push(`device ${index + 1}:`, ...steps.map((step) => `  ${dumpStep(step)}`));
  });
  lines.push("global:", ...schedule.global.map((step) => `  ${dumpStep(step)}`));
  const frr = schedule.frr;
  if (frr?.kind === "reload")
    lines.push(`frr: reload (${frr.config.length} bytes), then ${frr.after.join("; ")}`);
  if (frr?.kind === "neighbors")
    lines.push(...frr.commands.map((c) => `frr: vtysh ${c.join(" | ")}`));
  return lines.join("\n");
}

describe("scheduleHostPlan", () => {
  it("builds a fresh node with one command per device and kind, sysctls, then an FRR reload", () => {
    const plan = planHost({ observed: BARE_HOST, desired, owned: { links: [], addresses: [] } });
    const schedule = scheduleHostPlan(plan.operations, options);
    expect(schedule.concurrency).toBe(DEVICE_CONCURRENCY);
    expect(dumpSchedule(schedule)).toMatchInlineSnapshot(`
      "device 1:
        command: ip link add dev meshover0 type dummy
        command: ip -batch - <<< "addr add 10.128.0.1/32 dev meshover0\\naddr add fd12:3456:789a::1/128 dev meshover0 nodad\\nlink set dev meshover0 up\\n"
      device 2:
        command: ip link add dev mo2 type wireguard
        sysctl net.ipv6.conf.mo2.addr_gen_mode=1
        command: wg set mo2 private-key /state/private.key listen-port 51822 peer yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk= endpoint [2001:db8::2]:51821 allowed-ips 0.0.0.0/0,::/0 persistent-keepalive 25
        command: ip -batch - <<< "link set dev mo2 mtu 1420\\naddr add fe80::1/64 dev mo2 nodad\\nlink set dev mo2 up\\n"
        sysctl net.ipv4.conf.mo2.rp_filter=0
      device 3:
        command: ip link add dev mo3 type wireguard
        sysctl net.ipv6.conf.mo3.addr_gen_mode=1
        command: wg set mo3 private-key /state/private.key listen-port 51823 peer yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk= endpoint [2001:db8::3]:51821 allowed-ips 0.0.0.0/0,::/0 persistent-keepalive 25
        command: ip -batch - <<< "link set dev mo3 mtu 1420\\naddr add fe80::1/64 dev mo3 nodad\\nlink set dev mo3 up\\n"
        sysctl net.ipv4.conf.mo3.rp_filter=0
      global:
        sysctl net.ipv4.conf.all.rp_filter=0 net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
      frr: reload (1727 bytes), then clear bgp ipv4 unicast * soft in; clear bgp ipv6 unicast * soft in"
    `);
    // Every operation of the plan is in exactly one step.
    const scheduled = [
      ...schedule.devices.flat().flatMap((step) => step.operations),
      ...schedule.global.flatMap((step) => step.operations),
      ...(schedule.frr?.operations ?? []),
    ];
    expect(scheduled).toHaveLength(plan.operations.length);
    expect(new Set(scheduled)).toEqual(new Set(plan.operations));
  });

  it("starts wireguard-go instead of `ip link add` when the kernel has no WireGuard", () => {
    const plan = planHost({ observed: BARE_HOST, desired, owned: { links: [], addresses: [] } });
    const schedule = scheduleHostPlan(plan.operations, {
      ...options,
      wireguardMode: "wireguard-go",
    });
    expect(
      schedule.devices.map((steps) =>
        steps[0]?.kind === "command" ? steps[0].argv.join(" ") : `${steps[0]?.kind}`,
      ),
    ).toMatchInlineSnapshot(`
      [
        "ip link add dev meshover0 type dummy",
        "wireguard-go",
        "wireguard-go",
      ]
    `);
  });

  it("adds a peer to a built node with targeted neighbor commands, no reload", () => {
    const observed: THostState = { ...BARE_HOST, frr: { ...desired.frr!, neighbors: ["mo2"] } };
    const plan = planHost({ observed, desired, owned: { links: [], addresses: [] } });
    const frr = scheduleHostPlan(plan.operations, options).frr;
    expect(frr?.kind).toBe("neighbors");
    expect(frr?.kind === "neighbors" && frr.commands).toMatchInlineSnapshot(`
      [
        [
          "configure terminal",
          "interface mo3",
          "ipv6 nd ra-interval 1",
          "no ipv6 nd suppress-ra",
          "exit",
          "bfd",
          "peer fe80::3 interface mo3",
          "profile meshover",
          "exit",
          "exit",
          "router bgp 4200000001",
          "neighbor mo3 interface peer-group MESH",
          "neighbor mo3 description node3",
        ],
      ]
    `);
  });

  it("tears down to an empty desired state: deletes, one batch per device, nothing else", () => {
    const built: THostState = {
      links: [
        {
          name: "lo",
          kind: "loopback",
          mtu: 65536,
          isUp: true,
          addresses: ["10.128.0.1/32", "::1/128"],
          wireguard: null,
        },
        { name: "mo2", kind: "wireguard", mtu: 1420, isUp: true, addresses: [], wireguard: null },
        { name: "eth0", kind: "other", mtu: 1500, isUp: true, addresses: [], wireguard: null },
      ],
      sysctls: {},
      frr: null,
    };
    const owned = { links: ["mo2"], addresses: [{ device: "lo", cidr: "10.128.0.1/32" }] };
    const plan = planHost({ observed: built, desired: EMPTY_DESIRED_HOST, owned });
    const schedule = scheduleHostPlan(plan.operations, { ...options, frrModel: null });
    expect(dumpSchedule(schedule)).toMatchInlineSnapshot(`
      "device 1:
        command: ip -4 addr del 10.128.0.1/32 dev lo
      device 2:
        link-delete: ip link del dev mo2
      global:"
    `);
  });

  it("refuses FRR operations without a model (NetcfgError INVALID_PLAN)", () => {
    const plan = planHost({ observed: BARE_HOST, desired, owned: { links: [], addresses: [] } });
    expect(() => scheduleHostPlan(plan.operations, { ...options, frrModel: null })).toThrow(
      NetcfgError,
    );
  });
});
