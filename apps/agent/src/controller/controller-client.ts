// The agent's tRPC client: mutations over HTTP, the config stream over SSE (the `eventsource`
// package, since Node 20 has no EventSource), the node credential as a Bearer header on every
// call, superjson, and an optional certificate pin checked before connecting.
import { createHash } from "node:crypto";
import { connect } from "node:tls";
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import type { AppRouter } from "@meshover/api";

import { TRPC_PATH } from "@meshover/netcfg";

/** The typed client. */
export type TControllerClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Options of createControllerClient. */
export interface TControllerClientOptions {
  /** Controller base URL, e.g. https://mesh.example.org or http://[2001:db8::1]:3000. */
  controller: string;
  /**
   * Node credential (read at every request, so `set-credential` takes effect without a
   * restart); null for `join` (enroll is public).
   */
  credential: (() => string) | null;
}

/** Reject http:// unless allowed; return the tRPC endpoint URL. */
export function resolveTrpcUrl(controller: string, isHttpAllowed: boolean): string {
  const url = new URL(controller);
  if (url.protocol === "http:" && !isHttpAllowed) {
    throw new Error("refusing a plain-http controller URL without --allow-http");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`unsupported controller URL scheme ${url.protocol}`);
  }
  return `${url.origin}${url.pathname.replace(/\/$/, "")}${TRPC_PATH}`;
}

/** Create the client. */
export function createControllerClient(options: TControllerClientOptions): TControllerClient {
  const url = resolveTrpcUrl(options.controller, true);
  const readCredential = options.credential;
  const authorization = (): Record<string, string> =>
    readCredential ? { authorization: `Bearer ${readCredential()}` } : {};
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init.headers, ...authorization() } }),
          }),
        }),
        false: httpLink({ url, transformer: superjson, headers: authorization }),
      }),
    ],
  });
}

/**
 * Whether a controller call failed because this node no longer exists there or its credential
 * was revoked (tRPC `NOT_FOUND` / `UNAUTHORIZED`): retrying quickly cannot help, only an
 * operator can (`set-credential`, or `leave`).
 */
export function isNodeGoneError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data: unknown = error.data;
  const code = typeof data === "object" && data !== null && "code" in data ? data.code : null;
  return code === "NOT_FOUND" || code === "UNAUTHORIZED";
}

/** Normalise a pin (hex with or without colons, or base64) to lowercase hex. */
export function normalizePin(pin: string): string {
  const hex = pin.replaceAll(":", "").toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  const fromBase64 = Buffer.from(pin, "base64");
  if (fromBase64.length === 32) return fromBase64.toString("hex");
  throw new Error("--pin-sha256 must be a SHA-256 digest (64 hex digits or base64)");
}

/**
 * For https controllers with a pin: connect once, compare the SHA-256 of the leaf certificate
 * (DER) with the pin, and refuse on mismatch. Normal CA validation still applies to requests.
 */
export async function verifyCertificatePin(controller: string, pin: string | null): Promise<void> {
  const url = new URL(controller);
  if (pin === null || url.protocol !== "https:") return;
  const expected = normalizePin(pin);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const actual = await new Promise<string>((resolve, reject) => {
    const socket = connect(
      { host, port: Number(url.port || 443), servername: host, rejectUnauthorized: false },
      () => {
        const certificate = socket.getPeerCertificate();
        socket.end();
        resolve(createHash("sha256").update(certificate.raw).digest("hex"));
      },
    );
    socket.setTimeout(10_000, () => socket.destroy(new Error("TLS connect timeout")));
    socket.once("error", reject);
  });
  if (actual !== expected) {
    throw new Error(`controller certificate sha256 ${actual} does not match the pin`);
  }
}
