// A typed tRPC client over real HTTP, as an agent or a browser would use it: batching for
// queries/mutations, SSE (the eventsource package, Node has no EventSource) for subscriptions.
import { generateKeyPairSync } from "node:crypto";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import type { z } from "zod";
import { TRPC_PATH, type ZHealthReport } from "@meshover/netcfg";
import type { AppRouter } from "../src/root";

/** A client for `baseUrl` sending `headers` (e.g. Authorization: Bearer <credential>). */
export function createHttpClient(baseUrl: string, headers: Record<string, string> = {}) {
  const url = `${baseUrl}${TRPC_PATH}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
          },
        }),
        false: httpBatchLink({ url, transformer: superjson, headers }),
      }),
    ],
  });
}

/** A fresh WireGuard public key (X25519, base64), as an agent would generate. */
export function generateWireguardPublicKey(): string {
  const { publicKey } = generateKeyPairSync("x25519");
  const jwk = publicKey.export({ format: "jwk" });
  return Buffer.from(jwk.x!, "base64url").toString("base64");
}

/** A well-formed enrollment request for `token`. */
export function makeEnrollRequest(token: string, name: string) {
  return {
    token,
    name,
    publicKey: generateWireguardPublicKey(),
    endpoints: ["2001:db8::1"],
    agentVersion: "0.1.0-test",
    hostInfo: {
      hostname: name,
      kernel: "6.1.0",
      wireguard: "wireguard-go" as const,
      frrMode: "managed" as const,
      frrVersion: "8.4.4",
      addressDevice: "lo" as const,
    },
  };
}

/** `agent.report` input, as an agent sends it. */
export type THealthReportInput = z.input<typeof ZHealthReport>;

/**
 * A well-formed health report with one tunnel per peer id (all figures plausible). `overrides`
 * replaces report fields, `peer` fields of every tunnel.
 */
export function makeHealthReport(
  peerIds: string[],
  overrides: Partial<THealthReportInput> = {},
  peer: Partial<THealthReportInput["peers"][number]> = {},
): THealthReportInput {
  const { hostInfo, agentVersion, publicKey, endpoints } = makeEnrollRequest("x".repeat(16), "h");
  return {
    agentVersion,
    hostInfo,
    endpoints,
    publicKey,
    rotationId: null,
    appliedVersion: 1,
    applyError: null,
    peers: peerIds.map((peerId, i) => ({
      peerId,
      interface: `mo${i + 1}`,
      peerPublicKey: null,
      handshakeAt: "2026-12-06T08:00:00.000Z",
      rxBytes: 1,
      txBytes: 1,
      bgpState: "Established",
      bgpUptimeSec: 10,
      bfdState: "Up",
      prefixesReceived: 1,
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 1,
      ...peer,
    })),
    ...overrides,
  };
}
