// The agent's tRPC client: mutations over HTTP, the config stream over SSE (the `eventsource`
// package, since Node 20 has no EventSource), the node credential as a Bearer header on every
// call, superjson, and an optional certificate pin that replaces CA validation (a controller
// with a self-signed certificate and no reverse proxy still gets authenticated TLS).
import { createHash } from "node:crypto";
import { connect, type TLSSocket } from "node:tls";
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
  /**
   * SHA-256 of the controller's leaf certificate (any form {@link normalizePin} takes), or
   * null for normal CA validation.
   */
  pinSha256: string | null;
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
  const isPinned = options.pinSha256 !== null && new URL(url).protocol === "https:";
  const fetchWithTrust = isPinned ? createPinnedFetch(options.pinSha256 ?? "") : fetch;
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
              fetchWithTrust(input, { ...init, headers: { ...init.headers, ...authorization() } }),
          }),
        }),
        false: httpLink({
          url,
          transformer: superjson,
          headers: authorization,
          fetch: fetchWithTrust,
        }),
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

/** SHA-256 (lowercase hex) of a TLS connection's leaf certificate (DER), or null without one. */
function readCertificateDigest(socket: TLSSocket): string | null {
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  return raw ? createHash("sha256").update(raw).digest("hex") : null;
}

/**
 * A fetch that trusts exactly the certificate whose SHA-256 is `pin`: every new connection is
 * checked against the pin before a byte of the request is sent, and CA and host-name checks are
 * replaced by it (the pin names one certificate, which is what an admin confirmed; a
 * self-signed controller has no CA to check). undici is loaded on the first call: only a
 * pinned controller needs it, and evaluating it costs every agent start ~50–90 ms of CPU.
 */
export function createPinnedFetch(pin: string): typeof fetch {
  const expected = normalizePin(pin);
  let pinned: Promise<typeof fetch> | null = null;
  const load = async (): Promise<typeof fetch> => {
    const { Agent, buildConnector, fetch: undiciFetch } = await import("undici");
    const connectTls = buildConnector({ rejectUnauthorized: false });
    const dispatcher = new Agent({
      connect: (connectOptions, callback) => {
        connectTls(connectOptions, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error("TLS connect failed"), null);
          const actual = "getPeerCertificate" in socket ? readCertificateDigest(socket) : null;
          if (actual === expected) return callback(null, socket);
          socket.destroy();
          callback(
            new Error(`controller certificate sha256 ${actual} does not match the pin`),
            null,
          );
        });
      },
    });
    // undici's fetch is the engine of Node's own fetch, with a dispatcher of our choosing.
    return (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      undiciFetch(input, { ...init, dispatcher });
  };
  return async (input, init) => (await (pinned ??= load()))(input, init);
}

/**
 * For https controllers with a pin: connect once, compare the SHA-256 of the leaf certificate
 * (DER) with the pin, and refuse on mismatch, so join and start-up fail with a clear message.
 * Every request then goes through {@link createPinnedFetch}.
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
        const digest = readCertificateDigest(socket);
        socket.end();
        if (digest) resolve(digest);
        else reject(new Error("the controller sent no certificate"));
      },
    );
    socket.setTimeout(10_000, () => socket.destroy(new Error("TLS connect timeout")));
    socket.once("error", reject);
  });
  if (actual !== expected) {
    throw new Error(`controller certificate sha256 ${actual} does not match the pin`);
  }
}
