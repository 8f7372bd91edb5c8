import { afterEach, describe, expect, it } from "vitest";
import type { THealthReport } from "@meshover/netcfg";
import {
  createControllerClient,
  normalizePin,
  resolveTrpcUrl,
} from "../src/controller/controller-client";
import { serveAgentProtocol } from "./agent-protocol-router";
import { makeTestConfig } from "./test-config";

const CONFIG = makeTestConfig([], { version: 7 });

const REPORT: THealthReport = {
  agentVersion: "0.1.0",
  hostInfo: {
    hostname: "h",
    kernel: "6",
    wireguard: "wireguard-go",
    frrMode: "managed",
    frrVersion: null,
    addressDevice: "lo",
  },
  endpoints: [],
  publicKey: Buffer.alloc(32, 1).toString("base64"),
  rotationId: null,
  appliedVersion: 7,
  applyError: null,
  peers: [],
  routeCandidates: null,
};

let close: (() => void) | null = null;
afterEach(() => close?.());

async function startController() {
  const seen: { procedure: string; authorization: string | null }[] = [];
  const served = await serveAgentProtocol({
    enroll: () => Promise.reject(new Error("not used")),
    whoami: () => Promise.reject(new Error("not used")),
    async *configs(authorization, signal) {
      seen.push({ procedure: "config", authorization });
      yield CONFIG;
      await new Promise((resolve) => signal?.addEventListener("abort", resolve));
    },
    report: (_input, authorization) => {
      seen.push({ procedure: "report", authorization });
      return Promise.resolve({ meshVersion: 7 });
    },
  });
  close = served.close;
  return { url: served.url, seen };
}

describe("controller client", () => {
  it("sends the node credential on the config stream (SSE) and on mutations", async () => {
    const { url, seen } = await startController();
    let credential = "mo_node_first-credential";
    const client = createControllerClient({
      controller: url,
      credential: () => credential,
      pinSha256: null,
    });
    const received = await new Promise<unknown>((resolve, reject) => {
      const subscription = client.agent.config.subscribe(undefined, {
        onData: (event) => {
          subscription.unsubscribe();
          resolve(event);
        },
        onError: reject,
      });
    });
    expect(received).toEqual({ id: "7", data: CONFIG });
    credential = "mo_node_second-credential";
    await expect(client.agent.report.mutate(REPORT)).resolves.toEqual({ meshVersion: 7 });
    expect(seen).toEqual([
      { procedure: "config", authorization: "Bearer mo_node_first-credential" },
      { procedure: "report", authorization: "Bearer mo_node_second-credential" },
    ]);
  });

  it("refuses plain http unless allowed, and builds the tRPC URL", () => {
    expect(() => resolveTrpcUrl("http://[2001:db8::1]:3000", false)).toThrow(/--allow-http/);
    expect(resolveTrpcUrl("http://[2001:db8::1]:3000", true)).toBe(
      "http://[2001:db8::1]:3000/api/trpc",
    );
    expect(resolveTrpcUrl("https://mesh.example.org/", false)).toBe(
      "https://mesh.example.org/api/trpc",
    );
  });

  it("accepts certificate pins as hex (with or without colons) or base64", () => {
    const hex = "ab".repeat(32);
    expect(normalizePin(hex.toUpperCase())).toBe(hex);
    expect(normalizePin(hex.match(/../g)?.join(":") ?? "")).toBe(hex);
    expect(normalizePin(Buffer.from(hex, "hex").toString("base64"))).toBe(hex);
    expect(() => normalizePin("nope")).toThrow(/SHA-256/);
  });
});
