import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NetcfgError } from "./netcfg-error";
import { parseIpAddresses, parseIpLinks, parseIpRoutes } from "./parse-ip-json";

// Real output captured on this machine by fixtures/capture.sh (node mo-nc-a of a 2-node lab).
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8");

describe("parseIpLinks (fixtures/ip-link.json)", () => {
  it("types every link, including the wireguard-go tunnel", () => {
    const links = parseIpLinks(fixture("ip-link.json"));
    expect(links.map((link) => link.name)).toEqual(["lo", "ul0", "mo2"]);
    const tunnel = links.find((link) => link.name === "mo2")!;
    expect(tunnel).toMatchObject({
      isUp: true,
      mtu: 1420,
      linkType: "none",
      operState: "UNKNOWN",
      macAddress: null,
    });
    expect(tunnel.flags).toContain("POINTOPOINT");
    expect(links.find((link) => link.name === "ul0")?.macAddress).toMatch(/^[0-9a-f:]{17}$/);
  });
});

describe("parseIpLinks with `ip -d` details", () => {
  it("gives the planner's kind from linkinfo (dummy, wireguard; wireguard-go's tun is other)", () => {
    const text = JSON.stringify([
      { ifindex: 1, ifname: "lo", link_type: "loopback" },
      { ifindex: 2, ifname: "meshover0", linkinfo: { info_kind: "dummy" } },
      { ifindex: 3, ifname: "mo2", linkinfo: { info_kind: "wireguard" } },
      { ifindex: 4, ifname: "mo3", linkinfo: { info_kind: "tun" } },
    ]);
    expect(parseIpLinks(text).map((link) => [link.name, link.kind, link.infoKind])).toEqual([
      ["lo", "loopback", null],
      ["meshover0", "dummy", "dummy"],
      ["mo2", "wireguard", "wireguard"],
      ["mo3", "other", "tun"],
    ]);
  });

  it("marks kernel-generated (stable-privacy) link-locals", () => {
    const text = JSON.stringify([
      {
        ifindex: 3,
        ifname: "mo2",
        addr_info: [
          { family: "inet6", local: "fe80::1", prefixlen: 64 },
          { family: "inet6", local: "fe80::abcd", prefixlen: 64, "stable-privacy": true },
        ],
      },
    ]);
    const [link] = parseIpAddresses(text);
    expect(link?.addresses.map((a) => [a.cidr, a.isStablePrivacy])).toEqual([
      ["fe80::1/64", false],
      ["fe80::abcd/64", true],
    ]);
  });
});

describe("parseIpAddresses (fixtures/ip-addr.json)", () => {
  it("lists node addresses on lo and the derived link-local on the tunnel", () => {
    const links = parseIpAddresses(fixture("ip-addr.json"));
    const lo = links.find((link) => link.name === "lo")!;
    expect(lo.addresses.map((a) => a.cidr)).toEqual([
      "127.0.0.1/8",
      "10.128.0.1/32",
      "fd12:3456:789a::1/128",
      "::1/128",
    ]);
    const tunnel = links.find((link) => link.name === "mo2")!;
    expect(tunnel.addresses).toEqual([
      {
        family: "ipv6",
        address: "fe80::1",
        prefixLength: 64,
        cidr: "fe80::1/64",
        scope: "link",
        isStablePrivacy: false,
      },
    ]);
    const underlay = links.find((link) => link.name === "ul0")!;
    expect(underlay.addresses.map((a) => a.cidr)).toContain("2001:db8:4e43::1/64");
  });
});

describe("parseIpRoutes (fixtures/ip-route.json, ip-6-route.json)", () => {
  it("reads a BGP IPv4 route over an IPv6 link-local next hop and a blackhole anchor", () => {
    const routes = parseIpRoutes(fixture("ip-route.json"));
    expect(routes).toContainEqual({
      type: "unicast",
      destination: "10.128.0.2/32",
      family: "ipv4",
      gateway: "fe80::2",
      device: "mo2",
      protocol: "bgp",
      metric: 20,
      preferredSource: null,
    });
    expect(routes.find((r) => r.destination === "192.168.50.0/24")).toMatchObject({
      type: "blackhole",
      protocol: "static",
      device: null,
    });
  });

  it("reads IPv6 routes and the default destination", () => {
    const routes = parseIpRoutes(fixture("ip-6-route.json"), "ipv6");
    expect(routes.find((r) => r.destination === "fd12:3456:789a::2/128")).toMatchObject({
      gateway: "fe80::2",
      device: "mo2",
      protocol: "bgp",
      family: "ipv6",
    });
    expect(parseIpRoutes('[{"dst":"default","dev":"x"}]', "ipv6")[0]?.destination).toBe("::/0");
    expect(parseIpRoutes('[{"dst":"default","dev":"x"}]')[0]?.destination).toBe("0.0.0.0/0");
  });

  it("refuses text that is not ip's JSON", () => {
    expect(() => parseIpRoutes("Error: ipv4: FIB table does not exist.")).toThrow(NetcfgError);
    expect(() => parseIpLinks('[{"ifname": 3}]')).toThrow(/unexpected JSON/);
  });
});
