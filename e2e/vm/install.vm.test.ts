// The VM tier: the installer on Debian 12 guests (Debian's stock kernel, systemd as PID 1,
// Debian's nodejs) under qemu, next to the lab's controller and a namespace node. One set of
// guests serves every test in order (booting under emulation is the expensive part), so the tests
// build on each other: refusals, install, mixed mesh, restart, reboot, uninstall.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BFD_TIMERS, BFD_TIMERS_SOFTWARE_EMULATED } from "@meshover/netcfg";
import { ApiClient } from "../lab/harness/call-api";
import { Lab, type TLabNode } from "../lab/harness/create-lab";
import { isLabEnabled } from "../lab/harness/lab-env";
import { ping, readBgpNeighbors } from "../lab/harness/observe-node";
import { createToken, joinAgent, startAgent } from "../lab/harness/run-agent";
import {
  runController,
  startController,
  stopController,
  type TLabController,
} from "../lab/harness/start-controller";
import { waitUntil } from "../lab/harness/wait-until";
import { ensureImage, type TVmImage } from "./harness/build-image";
import {
  findModifying,
  isFrrReload,
  readAgentJournal,
  readGuestAddresses,
  readGuestBfd,
  readGuestBgp,
  readGuestEpoch,
  readGuestLinks,
  readFrrSessionEvents,
  startStallProbe,
} from "./harness/observe-guest";
import { TGuestNet, type TGuest } from "./harness/start-guests";

const MINUTE = 60_000;
/** Where the guests keep the installer (fetched from the controller like a user would). */
const INSTALLER = "/root/install.sh";

let lab: Lab;
let controller: TLabController;
let api: ApiClient;
let image: TVmImage;
let net: TGuestNet;
let vm1: TGuest;
let vm2: TGuest;
let mixed: TLabNode | null = null;

function log(line: string) {
  console.log(`[vm] ${line}`);
}

/** Every BGP session of `guest` Established, `count` of them, and BFD up on each. */
async function waitForGuestSessions(guest: TGuest, count: number, timeoutMs = 10 * MINUTE) {
  await waitUntil(
    {
      name: `${guest.name}: ${count} BGP sessions Established and BFD up`,
      timeoutMs,
      intervalMs: 3000,
    },
    async () => {
      const bgp = [...(await readGuestBgp(net, guest)).values()];
      const bfd = await readGuestBfd(net, guest);
      const established = bgp.filter((n) => n.state === "Established").length;
      const bfdUp = bfd.filter((p) => p.status === "up").length;
      return {
        isDone: bgp.length === count && established === count && bfdUp === count,
        state: `bgp ${bgp.map((n) => `${n.name}=${n.state}`).join(",")} bfd ${bfd.map((p) => `${p.interface}=${p.status}`).join(",")}`,
      };
    },
  );
}

async function overlayIpv4(guest: TGuest) {
  const addresses = await readGuestAddresses(net, guest, "meshover0");
  const v4 = addresses.find((a) => !a.includes(":"));
  if (!v4) throw new Error(`${guest.name} has no IPv4 on meshover0 (${addresses.join(", ")})`);
  return v4;
}

async function guestPing(from: TGuest, target: string, extra = "") {
  return net.ssh(from, `ping -n -c 3 -W 5 ${extra} ${target}`, { allowFailure: true });
}

describe.runIf(isLabEnabled)(
  "VM tier: install.sh on Debian 12 guests (stock kernel, systemd)",
  () => {
    beforeAll(async () => {
      const started = performance.now();
      image = await ensureImage(log);
      log(
        image.wasBuilt
          ? `image built in ${(image.buildMs / 1000).toFixed(0)} s (cold cache): ${image.dir}`
          : `image from the cache: ${image.dir}`,
      );
      lab = await Lab.create();
      controller = await startController(lab, { databaseServerUrl: process.env.DATABASE_URL });
      api = new ApiClient(controller.url);
      await api.logIn(controller.adminEmail, controller.adminPassword);
      net = await TGuestNet.create(lab, image);
      [vm1, vm2] = await Promise.all([net.startGuest(11), net.startGuest(12)]);
      log(
        `guests up: ${vm1.name} ${(vm1.bootMs / 1000).toFixed(0)} s, ${vm2.name} ${(vm2.bootMs / 1000).toFixed(0)} s (qemu start to ssh); set-up ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      for (const guest of [vm1, vm2]) {
        // The harness (not the installer) turns on debug logs: every command the agent runs is
        // then in the journal, which the restart test reads.
        await net.ssh(
          guest,
          `mkdir -p /etc/systemd/system/meshover-agent.service.d && printf '[Service]\\nEnvironment=MESHOVER_LOG_LEVEL=debug\\n' > /etc/systemd/system/meshover-agent.service.d/50-vm-tier-debug.conf && curl -fsS -o ${INSTALLER} ${controller.url}/install.sh`,
        );
      }
    }, 30 * MINUTE);

    afterAll(async () => {
      await lab?.destroy();
    }, 5 * MINUTE);

    it(
      "refuses clearly without root or without a usable endpoint",
      async () => {
        const asUser = await net.ssh(vm1, `curl -fsSL ${controller.url}/install.sh | sh`, {
          user: "tester",
          allowFailure: true,
        });
        expect(asUser.code).not.toBe(0);
        expect(asUser.stderr).toContain("must run as root");
        expect(asUser.stderr).toContain("what to do: run it with sudo");

        // A network namespace of the guest with no global address: nothing peers could reach.
        const noEndpoint = await net.ssh(
          vm1,
          `ip netns add noaddr && ip netns exec noaddr sh ${INSTALLER} --token-file /dev/null; code=$?; ip netns delete noaddr; exit $code`,
          { allowFailure: true },
        );
        expect(noEndpoint.code).not.toBe(0);
        expect(noEndpoint.stderr).toContain("no global IPv6 address");
        expect(noEndpoint.stderr).toContain("what to do:");
        // It stopped before changing anything.
        const untouched = await net.ssh(
          vm1,
          "dpkg-query -W -f='${Status}' frr meshover-agent 2>&1",
          {
            allowFailure: true,
          },
        );
        expect(untouched.stdout).not.toContain("install ok installed");
      },
      5 * MINUTE,
    );

    it(
      "install.sh joins both guests (vm1: Debian's nodejs package, vm2: the self-contained binary): kernel WireGuard, dummy meshover0, frr.service via frr-reload, BGP+BFD, overlay and 1392-byte DF pings",
      async () => {
        const tokens = [await createToken(api), await createToken(api)];
        // vm1 takes the installer's own choice (Debian 12's nodejs 18.20 is new enough); vm2 is
        // told to take the binary package, as a server without a usable nodejs would.
        const options = ["", " --agent binary"];
        const results = await Promise.all(
          [vm1, vm2].map((guest, i) =>
            net.ssh(guest, `sh ${INSTALLER} --token-file -${options[i]}`, {
              input: `${tokens[i]}\n`,
              timeoutMs: 25 * MINUTE,
              allowFailure: true,
            }),
          ),
        );
        for (const [i, result] of results.entries()) {
          log(`${[vm1, vm2][i]!.name} install.sh:\n${result.stdout}${result.stderr}`);
          expect(result.code, result.stderr).toBe(0);
          expect(result.stdout).toContain(`This server is node ${[vm1, vm2][i]!.name} of the mesh`);
        }
        for (const guest of [vm1, vm2]) {
          const units = await net.ssh(
            guest,
            "systemctl is-enabled meshover-agent frr; systemctl is-active meshover-agent frr; dpkg-query -W -f='${Version} ${Architecture}\\n' meshover-agent; dpkg-query -W -f='${Status} ${Version}\\n' nodejs 2>&1",
            { allowFailure: true },
          );
          expect(units.stdout.split("\n").slice(0, 4)).toEqual([
            "enabled",
            "enabled",
            "active",
            "active",
          ]);
          const [pkg, nodejs] = units.stdout.split("\n").slice(4);
          if (guest === vm1) {
            expect(pkg).toBe("0.1.0 all");
            expect(nodejs).toMatch(/^install ok installed 18\.(19|[2-9]\d)\./);
          } else {
            expect(pkg).toBe("0.1.0 amd64");
            // Self-contained: no nodejs on the guest at all.
            expect(nodejs).not.toContain("install ok installed");
          }
          log(`${guest.name}: agent package ${units.stdout.split("\n").slice(4).join(" ")}`);
        }
        await waitForGuestSessions(vm1, 1);
        await waitForGuestSessions(vm2, 1);
        for (const guest of [vm1, vm2]) {
          const links = await readGuestLinks(net, guest);
          const tunnels = links.filter((l) => /^mo\d+$/.test(l.ifname));
          expect(tunnels.length).toBe(1);
          expect(tunnels.map((t) => t.kind)).toEqual(["wireguard"]);
          expect(links.find((l) => l.ifname === "meshover0")?.kind).toBe("dummy");
          const goProcesses = await net.ssh(guest, "pgrep -c -x wireguard-go", {
            allowFailure: true,
          });
          expect(goProcesses.stdout.trim()).toBe("0");
          const addresses = await readGuestAddresses(net, guest, "meshover0");
          expect(addresses.some((a) => !a.includes(":"))).toBe(true);
          expect(addresses.some((a) => a.includes(":"))).toBe(true);
          const frrConf = await net.ssh(guest, "cat /etc/frr/frr.conf");
          expect(frrConf.stdout).toContain("! meshover begin");
          expect(frrConf.stdout).toContain("! meshover end");
          const { lines } = await readAgentJournal(net, guest);
          const reloads = lines.filter(isFrrReload);
          expect(reloads.length).toBeGreaterThan(0);
        }
        const target = await overlayIpv4(vm2);
        const plain = await guestPing(vm1, target);
        expect(plain.code, plain.stdout).toBe(0);
        const df = await guestPing(vm1, target, "-M do -s 1392");
        expect(df.code, df.stdout).toBe(0);
      },
      40 * MINUTE,
    );

    it(
      "a namespace node on wireguard-go and managed FRR peers with both guests",
      async () => {
        mixed = await lab.addNode(1);
        await joinAgent(lab, mixed, controller, await createToken(api));
        startAgent(lab, mixed);
        await waitForGuestSessions(vm1, 2);
        await waitForGuestSessions(vm2, 2);
        const node = mixed;
        await waitUntil(
          { name: "n1: 2 BGP sessions Established", timeoutMs: 5 * MINUTE, intervalMs: 2000 },
          async () => {
            const states = [...(await readBgpNeighbors(node)).values()].map((n) => n.state);
            return {
              isDone: states.length === 2 && states.every((s) => s === "Established"),
              state: states.join(","),
            };
          },
        );
        // wireguard-go's tunnels are TUN devices (this machine's kernel has no WireGuard).
        const links = JSON.parse(
          (await lab.exec(node, ["ip", "-d", "-j", "link", "show"])).stdout,
        ) as { ifname: string; linkinfo?: { info_kind?: string } }[];
        const tunnels = links.filter((l) => /^mo\d+$/.test(l.ifname));
        expect(tunnels.map((l) => l.linkinfo?.info_kind)).toEqual(["tun", "tun"]);
        for (const guest of [vm1, vm2]) {
          const result = await ping(node.netns, await overlayIpv4(guest), { count: 3, waitSec: 5 });
          expect(result.isOk, result.output).toBe(true);
        }
        // The guests are software-emulated (qemu without KVM): they ask for 1 s BFD timers;
        // the namespace node (hardware-virtualized host) keeps the mesh's timers on its side.
        const slow = BFD_TIMERS_SOFTWARE_EMULATED.intervalMs;
        for (const guest of [vm1, vm2]) {
          const peers = await readGuestBfd(net, guest);
          expect(peers.map((p) => [p.transmitIntervalMs, p.receiveIntervalMs])).toEqual([
            [slow, slow],
            [slow, slow],
          ]);
          const remote = peers.map((p) => p.remoteTransmitIntervalMs ?? 0);
          expect(remote.sort((a, b) => a - b)).toEqual([BFD_TIMERS.intervalMs, slow]);
        }
      },
      15 * MINUTE,
    );

    it(
      "systemctl restart meshover-agent runs no modifying command and resets no BGP session",
      async () => {
        const before = await readGuestBgp(net, vm1);
        const peerBefore = await readGuestBgp(net, vm2);
        const { cursor } = await readAgentJournal(net, vm1);
        await net.ssh(vm1, "systemctl restart meshover-agent");
        let lines: Awaited<ReturnType<typeof readAgentJournal>>["lines"] = [];
        await waitUntil(
          {
            name: "vm1's restarted agent reconciled and reported",
            timeoutMs: 5 * MINUTE,
            intervalMs: 3000,
          },
          async () => {
            lines = (await readAgentJournal(net, vm1, cursor)).lines;
            const msgs = lines.map((l) => l.msg);
            return {
              isDone: msgs.includes("reconciled") && msgs.includes("health reported"),
              state: msgs.slice(-5).join(" | "),
            };
          },
        );
        expect(findModifying(lines)).toEqual([]);
        const after = await readGuestBgp(net, vm1);
        const peerAfter = await readGuestBgp(net, vm2);
        for (const [name, neighbor] of before) {
          expect(after.get(name)?.state).toBe("Established");
          expect(after.get(name)?.connectionsEstablished).toBe(neighbor.connectionsEstablished);
        }
        for (const [name, neighbor] of peerBefore) {
          expect(peerAfter.get(name)?.connectionsEstablished).toBe(neighbor.connectionsEstablished);
        }
      },
      10 * MINUTE,
    );

    it(
      "running install.sh again on a joined guest changes nothing (no token asked, no session reset)",
      async () => {
        const before = await readGuestBgp(net, vm1);
        const { cursor } = await readAgentJournal(net, vm1);
        const since = await readGuestEpoch(net, vm1);
        const probe = startStallProbe(net, vm1);
        const again = await net.ssh(vm1, `sh ${INSTALLER} </dev/null`, {
          timeoutMs: 10 * MINUTE,
          allowFailure: true,
        });
        log(`vm11 second install.sh:\n${again.stdout}${again.stderr}`);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toContain("already joined");
        expect(again.stdout).toContain("ok: all present");
        expect(again.stdout).toContain("is current");
        const after = await readGuestBgp(net, vm1);
        const stalls = await probe.finish();
        log(
          `vm11 answered ${stalls.answered} of ${stalls.sent} pings during the re-run; max RTT ${stalls.maxRttMs} ms; longest silence ${stalls.longestSilenceMs.toFixed(0)} ms at ${stalls.longestSilenceAt}`,
        );
        log(
          `vm11 pressure after the re-run:\n${(await net.ssh(vm1, "grep . /proc/pressure/*; free -m", { allowFailure: true })).stdout}`,
        );
        for (const guest of [vm1, vm2]) {
          const events = await readFrrSessionEvents(net, guest, since);
          if (events) log(`${guest.name} FRR session events during the re-run:\n${events}`);
        }
        for (const [name, neighbor] of before) {
          expect(after.get(name)?.connectionsEstablished).toBe(neighbor.connectionsEstablished);
        }
        const { lines } = await readAgentJournal(net, vm1, cursor);
        expect(findModifying(lines)).toEqual([]);
      },
      10 * MINUTE,
    );

    it(
      "a guest rebooted while the controller is down rebuilds the mesh from its cached config",
      async () => {
        await stopController(lab, controller);
        await net.ssh(vm2, "systemctl reboot", { allowFailure: true });
        // ssh answers again only after the reboot (the old sshd stops first).
        await waitUntil(
          { name: "vm2 went down", timeoutMs: 3 * MINUTE, intervalMs: 2000 },
          async () => {
            const result = await net.ssh(vm2, "cat /proc/sys/kernel/random/boot_id", {
              allowFailure: true,
              timeoutMs: 15_000,
            });
            return { isDone: result.code !== 0, state: `ssh exit ${result.code}` };
          },
        );
        await net.waitForSsh(vm2);
        await waitForGuestSessions(vm2, 2, 15 * MINUTE);
        const { lines } = await readAgentJournal(net, vm2);
        expect(lines.map((l) => l.msg)).toContain("starting from cached config");
        const links = await readGuestLinks(net, vm2);
        expect(links.filter((l) => /^mo\d+$/.test(l.ifname)).map((l) => l.kind)).toEqual([
          "wireguard",
          "wireguard",
        ]);
        const result = await guestPing(vm1, await overlayIpv4(vm2));
        expect(result.code, result.stdout).toBe(0);
        await runController(lab, controller);
      },
      25 * MINUTE,
    );

    it(
      "install.sh --uninstall leaves no interface, FRR block, unit or state, and the peers drop the node",
      async () => {
        // The harness's own drop-in goes first (it is not the installer's).
        await net.ssh(vm2, "rm -rf /etc/systemd/system/meshover-agent.service.d");
        const result = await net.ssh(vm2, `sh ${INSTALLER} --uninstall`, {
          timeoutMs: 10 * MINUTE,
          allowFailure: true,
        });
        log(`vm2 --uninstall:\n${result.stdout}${result.stderr}`);
        expect(result.code, result.stderr).toBe(0);
        const links = await readGuestLinks(net, vm2);
        expect(links.filter((l) => /^mo\d+$/.test(l.ifname) || l.ifname === "meshover0")).toEqual(
          [],
        );
        const leftovers = await net.ssh(
          vm2,
          "grep -c 'meshover' /etc/frr/frr.conf; ls /lib/systemd/system/meshover-agent.service /etc/systemd/system/meshover-agent.service /etc/systemd/system/multi-user.target.wants/meshover-agent.service /var/lib/meshover /etc/default/meshover-agent /usr/bin/meshover-agent 2>&1; dpkg-query -W -f='${Status}' meshover-agent 2>&1",
          { allowFailure: true },
        );
        expect(leftovers.stdout.split("\n")[0]).toBe("0");
        expect(leftovers.stdout).not.toMatch(/^\/(lib|etc|var|usr)\S+$/m);
        expect(leftovers.stdout).not.toContain("install ok installed");
        const bgp = await readGuestBgp(net, vm2);
        expect(bgp.size).toBe(0);
        await waitForGuestSessions(vm1, 1);
        await waitUntil(
          { name: "vm1 dropped vm2's tunnel", timeoutMs: 5 * MINUTE, intervalMs: 3000 },
          async () => {
            const tunnels = (await readGuestLinks(net, vm1)).filter((l) =>
              /^mo\d+$/.test(l.ifname),
            );
            return { isDone: tunnels.length === 1, state: tunnels.map((t) => t.ifname).join(",") };
          },
        );
      },
      15 * MINUTE,
    );
  },
);
