import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPinnedFetch, verifyCertificatePin } from "../src/controller/controller-client";

// A controller with a self-signed certificate (MESHOVER_TLS=self-signed): only the pin can
// make the agent trust it.
let server: Server;
let origin: string;
let pin: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "meshover-pin-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=meshover-test",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"));
    pin = createHash("sha256").update(new X509Certificate(cert).raw).digest("hex");
    server = createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_req, res) => {
      res.end("pinned ok");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("certificate pin", () => {
  it("trusts a self-signed controller whose certificate matches the pin", async () => {
    const response = await createPinnedFetch(pin)(`${origin}/`);
    expect(await response.text()).toBe("pinned ok");
    await expect(verifyCertificatePin(origin, pin)).resolves.toBeUndefined();
  });

  it("accepts the pin in base64 and with colons as well as plain hex", async () => {
    const base64 = Buffer.from(pin, "hex").toString("base64");
    const colons = pin.match(/../g)?.join(":").toUpperCase() ?? "";
    for (const form of [base64, colons]) {
      const response = await createPinnedFetch(form)(`${origin}/`);
      expect(response.status).toBe(200);
    }
  });

  it("refuses the controller when its certificate does not match the pin", async () => {
    const wrong = "00".repeat(32);
    const error: unknown = await createPinnedFetch(wrong)(`${origin}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).cause)).toMatch(/does not match the pin/);
    await expect(verifyCertificatePin(origin, wrong)).rejects.toThrow(/does not match the pin/);
  });

  it("refuses a self-signed controller without a pin (normal CA validation)", async () => {
    await expect(fetch(`${origin}/`)).rejects.toThrow();
  });
});
