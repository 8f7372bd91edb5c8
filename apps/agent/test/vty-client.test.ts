import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { daemonOfShow, VtyClient, VtyCommandError } from "../src/frr/vty-client";

/** A daemon's vty socket in `dir`: answers each NUL-terminated command via `answer`. */
function serveDaemon(
  dir: string,
  daemon: string,
  answer: (command: string, socket: Socket) => void,
): Promise<Server> {
  const server = createServer((socket) => {
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end: number;
      while ((end = buffer.indexOf("\0")) >= 0) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        answer(command, socket);
      }
    });
  });
  return new Promise((resolve) => server.listen(join(dir, `${daemon}.vty`), () => resolve(server)));
}

const ok = (text: string) => Buffer.concat([Buffer.from(text), Buffer.from([0, 0, 0, 0])]);

let dir = "";
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("VtyClient", () => {
  it("sends each command NUL-terminated and returns the text before the 0 0 0 status trailer", async () => {
    dir = mkdtempSync(join(tmpdir(), "vty-"));
    const seen: string[] = [];
    servers.push(
      await serveDaemon(dir, "bgpd", (command, socket) => {
        seen.push(command);
        // Split so the trailer arrives in its own small pieces.
        const answer = ok(`{"answer":"${command}"}`);
        socket.write(answer.subarray(0, answer.length - 3));
        setTimeout(() => socket.write(answer.subarray(answer.length - 3, answer.length - 1)), 5);
        setTimeout(() => socket.write(answer.subarray(answer.length - 1)), 10);
      }),
    );
    const client = new VtyClient(dir);
    // Two at once on one connection: answered in order, one at a time.
    const [first, second] = await Promise.all([
      client.show("bgpd", "show bgp neighbors json"),
      client.show("bgpd", "show bgp ipv4 unicast json"),
    ]);
    expect(JSON.parse(first)).toEqual({ answer: "show bgp neighbors json" });
    expect(JSON.parse(second)).toEqual({ answer: "show bgp ipv4 unicast json" });
    // `enable` first on a new connection (vtysh's node: bfdd knows `show bfd peers` only there).
    expect(seen).toEqual(["enable", "show bgp neighbors json", "show bgp ipv4 unicast json"]);
    client.close();
  });

  it("fails a refused command with its status, and keeps the connection for the next", async () => {
    dir = mkdtempSync(join(tmpdir(), "vty-"));
    servers.push(
      await serveDaemon(dir, "bfdd", (command, socket) => {
        if (command === "show nonsense") {
          socket.write(
            Buffer.concat([Buffer.from("% Unknown command\n"), Buffer.from([0, 0, 0, 2])]),
          );
        } else socket.write(ok("[]"));
      }),
    );
    const client = new VtyClient(dir);
    const refused = client.show("bfdd", "show nonsense");
    await expect(refused).rejects.toBeInstanceOf(VtyCommandError);
    await expect(refused).rejects.toThrow(/status 2: % Unknown command/);
    expect(await client.show("bfdd", "show bfd peers json")).toBe("[]");
    client.close();
  });

  it("fails what waits when the daemon goes, and connects again for the next command", async () => {
    dir = mkdtempSync(join(tmpdir(), "vty-"));
    let connections = 0;
    const server = await serveDaemon(dir, "zebra", (command, socket) => {
      if (command === "enable") {
        connections += 1;
        socket.write(ok(""));
      } else if (connections === 1) {
        socket.destroy(); // the daemon died mid-answer
      } else socket.write(ok("FRRouting 8.4.4"));
    });
    servers.push(server);
    const client = new VtyClient(dir);
    await expect(client.show("zebra", "show version")).rejects.toThrow(/closed/);
    expect(await client.show("zebra", "show version")).toBe("FRRouting 8.4.4");
    client.close();
  });

  it("fails at once without the socket (FRR not running), and on a silent daemon after the timeout", async () => {
    dir = mkdtempSync(join(tmpdir(), "vty-"));
    await expect(new VtyClient(dir).show("bgpd", "show version")).rejects.toThrow(/ENOENT/);
    servers.push(await serveDaemon(dir, "bgpd", () => undefined));
    const client = new VtyClient(dir, 100);
    await expect(client.show("bgpd", "show bgp neighbors json")).rejects.toThrow(
      /no answer within 100 ms/,
    );
    client.close();
  });
});

describe("daemonOfShow", () => {
  it("names the daemon that answers a show command, null for what vtysh merges", () => {
    expect(daemonOfShow("show bgp neighbors json")).toBe("bgpd");
    expect(daemonOfShow("show bgp ipv6 unicast json")).toBe("bgpd");
    expect(daemonOfShow("show bfd peers json")).toBe("bfdd");
    expect(daemonOfShow("show version")).toBe("zebra");
    expect(daemonOfShow("show running-config")).toBeNull();
    expect(daemonOfShow("configure terminal")).toBeNull();
  });
});
