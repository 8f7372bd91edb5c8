import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "./compile-node-configs";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";
import {
  chooseEndpoint,
  deriveTunnels,
  findTunnelOfLinkLocal,
  getLinkLocalAddress,
  getTunnelInterfaceName,
  getTunnelMtu,
  isTunnelInterfaceName,
  MAX_INTERFACE_NAME_BYTES,
} from "./derive-tunnels";

const settings = TEST_MESH_SETTINGS;

const makeNode = (index: number, endpoints: string[]) => makeTestMeshNode(index, { endpoints });

const nodes = [
  makeNode(1, ["198.51.100.1", "2001:db8::1"]),
  makeNode(2, ["2001:db8::2"]),
  makeNode(12, ["198.51.100.12"]),
  // Only a private address: behind NAT, so it dials node 1 over IPv4 and node 1 waits for it.
  makeNode(13, ["10.0.0.13"]),
];

describe("deriveTunnels", () => {
  it("derives names, ports, link-locals, endpoints and MTU for every peer", () => {
    const [first] = compileNodeConfigs({ version: 1, settings, nodes });
    const tunnels = deriveTunnels(first!);
    expect(
      tunnels.map((t) => [
        t.interfaceName,
        t.listenPort,
        t.remotePort,
        t.endpoint?.text ?? null,
        t.localLinkLocal,
        t.peerLinkLocal,
        t.mtu,
      ]),
    ).toEqual([
      ["mo2", 51822, 51821, "[2001:db8::2]:51821", "fe80::1/64", "fe80::2", 1420],
      ["mo12", 51832, 51821, "198.51.100.12:51821", "fe80::1/64", "fe80::c", 1440],
      ["mo13", 51833, 51821, null, "fe80::1/64", "fe80::d", 1440],
    ]);
    expect(tunnels[0]?.wireguardPeer).toEqual({
      publicKey: "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
      allowedIps: ["0.0.0.0/0", "::/0"],
      endpoint: "[2001:db8::2]:51821",
      persistentKeepalive: 25,
    });
  });

  it("makes both ends agree: A listens where B sends and vice versa", () => {
    const configs = compileNodeConfigs({ version: 1, settings, nodes });
    for (const config of configs) {
      for (const tunnel of deriveTunnels(config)) {
        const peerConfig = configs.find((c) => c.self.id === tunnel.peerId)!;
        const back = deriveTunnels(peerConfig).find((t) => t.peerId === config.self.id)!;
        expect(back.remotePort).toBe(tunnel.listenPort);
        expect(tunnel.remotePort).toBe(back.listenPort);
        expect(back.peerLinkLocal).toBe(tunnel.localLinkLocal.replace("/64", ""));
      }
    }
  });

  it("prefers IPv6 endpoints and uses measured path MTU, clamped at 1280", () => {
    const [first] = compileNodeConfigs({ version: 1, settings, nodes });
    const tunnels = deriveTunnels(first!, {
      measuredPathMtu: new Map([
        [nodes[1]!.id, 1400],
        [nodes[2]!.id, 1300],
      ]),
    });
    expect(tunnels[0]).toMatchObject({ mtu: 1320, mtuSource: "measured" });
    expect(tunnels[1]).toMatchObject({ mtu: 1280, mtuSource: "measured" });
    expect(tunnels[2]).toMatchObject({ mtu: 1440, mtuSource: "assumed" });
    const second = compileNodeConfigs({ version: 1, settings, nodes })[1]!;
    expect(deriveTunnels(second)[0]?.endpoint?.text).toBe("[2001:db8::1]:51822");
  });

  it("uses the fixed tunnel MTU when set", () => {
    const [first] = compileNodeConfigs({
      version: 1,
      settings: { ...settings, tunnelMtu: 1380 },
      nodes,
    });
    expect(deriveTunnels(first!, { measuredPathMtu: { [nodes[1]!.id]: 9000 } })[0]).toMatchObject({
      mtu: 1380,
      mtuSource: "fixed",
    });
  });
});

describe("helpers", () => {
  it("keeps every interface name within 15 bytes and recognisable", () => {
    for (const index of [1, 9, 10, 999, 13715, 65535]) {
      const name = getTunnelInterfaceName(index);
      expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(MAX_INTERFACE_NAME_BYTES);
      expect(isTunnelInterfaceName(name)).toBe(true);
    }
    expect(isTunnelInterfaceName("eth0")).toBe(false);
    expect(isTunnelInterfaceName("mo0")).toBe(false);
    expect(isTunnelInterfaceName("meshover0")).toBe(false);
  });

  it("derives link-local addresses and MTUs", () => {
    expect(getLinkLocalAddress(255)).toBe("fe80::ff");
    expect(findTunnelOfLinkLocal(getLinkLocalAddress(300))).toBe("mo300");
    expect(findTunnelOfLinkLocal("fe80::0")).toBeNull();
    // A rotation's second tunnel (slot 1) has fe80::1:<index>.
    expect(findTunnelOfLinkLocal(getLinkLocalAddress(2, 1))).toBe("mo2r");
    expect(findTunnelOfLinkLocal("fe80::2:2")).toBeNull();
    expect(findTunnelOfLinkLocal("2001:db8::1")).toBeNull();
    expect(getTunnelMtu(1500, "ipv6")).toBe(1420);
    expect(getTunnelMtu(1500, "ipv4")).toBe(1440);
    expect(getTunnelMtu(1280, "ipv6")).toBe(1280);
  });

  it("skips unusable endpoints", () => {
    expect(chooseEndpoint(["nonsense", "192.0.2.1"], 1)?.text).toBe("192.0.2.1:1");
    expect(chooseEndpoint([], 1)).toBeNull();
  });
});
