// `meshover-agent join`: generate the WireGuard key pair locally, redeem the enrollment token,
// store identity and credential (0600).
import { z } from "zod";
import { ZDesiredNodeConfig, ZEndpoint } from "@meshover/netcfg";
import { checkConfigFor } from "../controller/check-config";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TFrrMode } from "../frr/frr-adapter";
import { readHostInfo } from "../health/read-host-info";
import { generateKeyPair } from "../host/generate-keys";
import type { HostDriver } from "../host/host-driver";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";
import { AGENT_VERSION } from "../version";
import {
  createControllerClient,
  normalizePin,
  resolveTrpcUrl,
  verifyCertificatePin,
} from "../controller/controller-client";

/** Options of joinMesh. */
export interface TJoinOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  host: HostDriver;
  controller: string;
  token: string;
  name: string | null;
  endpoints: string[];
  isHttpAllowed: boolean;
  pinSha256: string | null;
  frrMode: TFrrMode;
}

/** How long `join` retries when it cannot connect at all. */
const JOIN_RETRY_MS = 20_000;

/** True for errors where no request reached the controller (so a retry cannot double-enroll). */
export function isConnectionFailure(message: string): boolean {
  return /fetch failed|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(message);
}

/** Devices whose addresses are never underlay: loopback and meshover's own (node addresses). */
const NON_UNDERLAY_DEVICE = /^(lo|meshover0|mo[1-9][0-9]*)$/;

/**
 * The host's global addresses, IPv6 first (the default underlay endpoints). Private ones are
 * reported too: the controller tells from them that the node is behind NAT and which address
 * families it can dial out with (issue #17, docs/underlay.md).
 */
export async function readUnderlayAddresses(runner: TRunner): Promise<string[]> {
  const result = await runChecked(runner, ["ip", "-json", "addr", "show", "scope", "global"]);
  // iproute2 prints `{}` for the addresses the scope filter dropped (and for links without any).
  const links = z
    .array(
      z
        .object({
          ifname: z.string().optional(),
          addr_info: z
            .array(
              z.object({ family: z.string().optional(), local: z.string().optional() }).loose(),
            )
            .default([]),
        })
        .loose(),
    )
    .parse(JSON.parse(result.stdout));
  const byFamily = { inet6: [] as string[], inet: [] as string[] };
  for (const link of links) {
    if (link.ifname !== undefined && NON_UNDERLAY_DEVICE.test(link.ifname)) continue;
    for (const info of link.addr_info) {
      if (info.local && (info.family === "inet6" || info.family === "inet")) {
        byFamily[info.family].push(info.local);
      }
    }
  }
  return [...byFamily.inet6, ...byFamily.inet].slice(0, 16);
}

/** Enroll this node. Returns the node's id and name. */
export async function joinMesh(options: TJoinOptions): Promise<{ nodeId: string; name: string }> {
  const { store, runner, logger } = options;
  resolveTrpcUrl(options.controller, options.isHttpAllowed);
  const pin = options.pinSha256 === null ? null : normalizePin(options.pinSha256);
  await verifyCertificatePin(options.controller, pin);
  if (store.readIdentity()) {
    throw new Error(`already joined (${store.path("identity.json")}); run leave first`);
  }
  const parseEndpoints = (list: readonly string[]) => list.map((e) => ZEndpoint.parse(e));
  // Endpoints given on the command line are checked before anything is written.
  const givenEndpoints = parseEndpoints(options.endpoints);
  store.ensureDir();
  // The key pair and the host's facts side by side: each is a process or two, and a join of
  // many nodes at once waits for the slowest node's request (the controller batches them).
  // The two link probes share a name, so they run one after the other.
  const [endpoints, keys, [wireguard, addressDevice], virtualization] = await Promise.all([
    givenEndpoints.length > 0 ? givenEndpoints : readUnderlayAddresses(runner).then(parseEndpoints),
    store.readKeys() ?? generateKeyPair(runner, null),
    options.host
      .detectWireguardMode()
      .then(async (mode) => [mode, await options.host.detectAddressDevice()] as const),
    options.host.detectVirtualization(),
  ]);
  store.writeKeys(keys);
  const client = createControllerClient({
    controller: options.controller,
    credential: null,
    pinSha256: pin,
  });
  const request = {
    token: options.token,
    ...(options.name ? { name: options.name } : {}),
    publicKey: keys.publicKey,
    endpoints,
    agentVersion: AGENT_VERSION,
    hostInfo: readHostInfo({
      wireguard,
      frrMode: options.frrMode,
      frrVersion: null,
      addressDevice,
      virtualization,
    }),
  };
  // A network that is still coming up (a fresh address in DAD, a route not there yet) fails
  // the connection itself: retry that for a while. Any answer from the controller is final.
  const deadline = Date.now() + JOIN_RETRY_MS;
  // Marks the start of the enrollment round trip in the log (bench:lab's cold-mesh phases).
  logger.info({ controller: options.controller }, "join request sent");
  let response: Awaited<ReturnType<typeof client.agent.enroll.mutate>>;
  for (let attempt = 1; ; attempt += 1) {
    try {
      response = await client.agent.enroll.mutate(request);
      break;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isConnectionFailure(message) || Date.now() > deadline) throw error;
      logger.warn({ attempt, error: message }, "controller not reachable yet, retrying join");
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * attempt)));
    }
  }
  store.writeIdentity({
    nodeId: response.nodeId,
    name: response.name,
    controller: options.controller,
    credential: response.credential,
    isHttpAllowed: options.isHttpAllowed,
    pinSha256: pin,
    endpoints,
  });
  logger.info({ nodeId: response.nodeId, name: response.name, endpoints }, "joined");
  keepFirstConfig(store, logger, response.nodeId, response.config);
  return { nodeId: response.nodeId, name: response.name };
}

/**
 * Keep the first config the controller sent with the enrollment as the cached config: `run`
 * starts from it at once instead of waiting for its config stream (which then starts with the
 * same version). One that does not check out is left to the stream.
 */
function keepFirstConfig(store: StateStore, logger: TLogger, nodeId: string, raw: unknown): void {
  if (raw === undefined) return;
  const parsed = ZDesiredNodeConfig.safeParse(raw);
  const checked = parsed.success
    ? checkConfigFor(parsed.data, nodeId, null)
    : { error: parsed.error.message, isStale: false };
  if ("error" in checked) {
    logger.warn(
      { error: checked.error },
      "config sent with the join rejected: waiting for the stream",
    );
    return;
  }
  store.writeCachedConfig(checked.config, new Date());
  logger.info(
    { version: checked.config.version, peers: checked.config.peers.length, via: "join" },
    "config received",
  );
}
