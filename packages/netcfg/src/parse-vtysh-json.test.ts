import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NetcfgError } from "./netcfg-error";
import { parseBfdPeers, parseBgpNeighbors, parseZebraRoutes } from "./parse-vtysh-json";

// Real FRR 8.4 output captured by fixtures/capture.sh on node mo-nc-a (peer mo-nc-b on mo2).
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8");

describe("parseBgpNeighbors", () => {
  it("reads an Established unnumbered session with BFD (vtysh-bgp-neighbors.json)", () => {
    const [neighbor, ...others] = parseBgpNeighbors(fixture("vtysh-bgp-neighbors.json"));
    expect(others).toEqual([]);
    expect(neighbor).toMatchObject({
      name: "mo2",
      isInterfaceNeighbor: true,
      peerAddress: "fe80::2",
      remoteAs: 4200000002,
      localAs: 4200000001,
      state: "Established",
      isEstablished: true,
      description: "mo-nc-b",
      peerGroup: "MESH",
      remoteRouterId: "10.128.0.2",
      bfdStatus: "Up",
      prefixesAccepted: { ipv4: 1, ipv6: 1 },
      connectionsEstablished: 1,
    });
    expect(neighbor?.uptimeMsec).toBeGreaterThanOrEqual(0);
    expect(neighbor?.messagesReceived).toBeGreaterThan(0);
  });

  it("reads a session whose peer is not there yet (vtysh-bgp-neighbors-down.json)", () => {
    const [neighbor] = parseBgpNeighbors(fixture("vtysh-bgp-neighbors-down.json"));
    expect(neighbor).toMatchObject({
      name: "mo2",
      isInterfaceNeighbor: true,
      peerAddress: null,
      remoteAs: null,
      isEstablished: false,
      uptimeMsec: null,
      remoteRouterId: null,
    });
    expect(neighbor?.state).not.toBe("Established");
    // BGP registers the BFD session only once it knows the peer; until then FRR says Unknown.
    expect([null, "Unknown", "Down"]).toContain(neighbor?.bfdStatus);
  });

  it("returns nothing without a BGP instance and refuses vtysh errors", () => {
    expect(parseBgpNeighbors("{}")).toEqual([]);
    expect(() => parseBgpNeighbors("bgpd is not running")).toThrow(NetcfgError);
  });
});

describe("parseBfdPeers", () => {
  it("reads an up session over the tunnel (vtysh-bfd-peers.json)", () => {
    expect(parseBfdPeers(fixture("vtysh-bfd-peers.json"))).toEqual([
      expect.objectContaining({
        peer: "fe80::2",
        // The static session (no local-address) that bgpd's registration joined.
        local: null,
        interface: "mo2",
        isMultihop: false,
        status: "up",
        isUp: true,
        receiveIntervalMs: 300,
        transmitIntervalMs: 300,
        detectMultiplier: 3,
        remoteReceiveIntervalMs: 300,
        remoteDetectMultiplier: 3,
      }),
    ]);
  });

  it("reads the static session down before the peer runs (vtysh-bfd-peers-down.json)", () => {
    expect(parseBfdPeers(fixture("vtysh-bfd-peers-down.json"))).toEqual([
      expect.objectContaining({ peer: "fe80::2", interface: "mo2", status: "down", isUp: false }),
    ]);
  });

  it("reads an empty list", () => {
    expect(parseBfdPeers("[\n]\n")).toEqual([]);
  });
});

describe("parseZebraRoutes", () => {
  it("reads connected, static anchor and BGP routes (vtysh-ip-route.json)", () => {
    const routes = parseZebraRoutes(fixture("vtysh-ip-route.json"));
    const byPrefix = new Map(routes.map((route) => [`${route.prefix} ${route.protocol}`, route]));
    expect(byPrefix.get("10.128.0.1/32 connected")).toMatchObject({
      isSelected: true,
      nexthops: [expect.objectContaining({ interfaceName: "lo", isDirectlyConnected: true })],
    });
    expect(byPrefix.get("10.128.0.2/32 bgp")).toMatchObject({
      isSelected: true,
      isInstalled: true,
      distance: 20,
      nexthops: [
        expect.objectContaining({
          ip: "fe80::2",
          interfaceName: "mo2",
          isActive: true,
          isInFib: true,
        }),
      ],
    });
    expect(byPrefix.get("192.168.50.0/24 static")).toMatchObject({
      distance: 254,
      nexthops: [expect.objectContaining({ isBlackhole: true })],
    });
  });

  it("reads the peer's view: the advertised prefix arrives over BGP (vtysh-ip-route-b.json)", () => {
    const routes = parseZebraRoutes(fixture("vtysh-ip-route-b.json"));
    expect(routes.find((r) => r.prefix === "192.168.50.0/24")).toMatchObject({
      protocol: "bgp",
      isSelected: true,
    });
    expect(routes.find((r) => r.prefix === "10.128.0.1/32")?.protocol).toBe("bgp");
  });

  it("reads IPv6 routes (vtysh-ipv6-route.json)", () => {
    const routes = parseZebraRoutes(fixture("vtysh-ipv6-route.json"));
    expect(routes.find((r) => r.prefix === "fd12:3456:789a::2/128")).toMatchObject({
      protocol: "bgp",
      nexthops: [expect.objectContaining({ ip: "fe80::2", interfaceName: "mo2" })],
    });
    expect(routes.find((r) => r.prefix === "2001:db8:50::/48")?.protocol).toBe("static");
  });
});
