import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ZWireguardKey } from "./config";
import { NetcfgError } from "./netcfg-error";
import { parseWgDump } from "./parse-wg-dump";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8");

describe("parseWgDump (fixtures/wg-show-all-dump.txt from wireguard-go)", () => {
  it("reads the interface and its peer after a handshake", () => {
    const [device, ...others] = parseWgDump(fixture("wg-show-all-dump.txt"));
    expect(others).toEqual([]);
    expect(device).toMatchObject({
      name: "mo2",
      hasPrivateKey: true,
      listenPort: 51822,
      fwmark: null,
    });
    expect(ZWireguardKey.safeParse(device?.publicKey).success).toBe(true);
    expect(device?.peers).toHaveLength(1);
    const peer = device!.peers[0]!;
    expect(ZWireguardKey.safeParse(peer.publicKey).success).toBe(true);
    expect(peer).toMatchObject({
      hasPresharedKey: false,
      endpoint: "[2001:db8:4e43::2]:51821",
      allowedIps: ["0.0.0.0/0", "::/0"],
      persistentKeepaliveSec: 25,
    });
    expect(peer.latestHandshakeSec).toBeGreaterThan(1_600_000_000);
    expect(peer.rxBytes).toBeGreaterThan(0);
    expect(peer.txBytes).toBeGreaterThan(0);
  });

  it("never exposes the private key", () => {
    expect(JSON.stringify(parseWgDump(fixture("wg-show-all-dump.txt")))).not.toMatch(/AAAAAAAA/);
  });

  it("reads a fresh interface with no peer data yet", () => {
    const text = [
      "mo3\t(none)\t(none)\t0\toff",
      "mo4\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\tyAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\t51824\t0x10",
      "mo4\txTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t(none)\t(none)\t0\t0\t0\toff",
      "",
    ].join("\n");
    expect(parseWgDump(text)).toEqual([
      {
        name: "mo3",
        hasPrivateKey: false,
        publicKey: null,
        listenPort: null,
        fwmark: null,
        peers: [],
      },
      {
        name: "mo4",
        hasPrivateKey: true,
        publicKey: "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
        listenPort: 51824,
        fwmark: 16,
        peers: [
          {
            publicKey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
            hasPresharedKey: false,
            endpoint: null,
            allowedIps: [],
            latestHandshakeSec: null,
            rxBytes: 0,
            txBytes: 0,
            persistentKeepaliveSec: null,
          },
        ],
      },
    ]);
    expect(parseWgDump("")).toEqual([]);
  });

  it("refuses malformed lines", () => {
    expect(() => parseWgDump("Unable to access interface: Operation not permitted")).toThrow(
      NetcfgError,
    );
    expect(() => parseWgDump("mo9\tK\t(none)\t(none)\t(none)\t0\t0\t0\toff")).toThrow(
      /before its interface line/,
    );
  });
});
