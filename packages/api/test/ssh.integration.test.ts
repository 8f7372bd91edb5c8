// The SSH router against a real database: the form's defaults, who may start jobs and read them,
// a refused fingerprint, and that the SSH credential never lands in the job view or the audit log
// (a job that fails at connect still records everything else). The install itself runs against
// a real sshd in e2e/browser/lab-mesh.spec.ts.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { signInAs, createApiTestDatabase, waitUntil } from "./helpers";

let testDb: TTestDatabase;
let admin: Awaited<ReturnType<typeof signInAs>>;
let otherAdmin: Awaited<ReturnType<typeof signInAs>>;
let viewer: Awaited<ReturnType<typeof signInAs>>;

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  admin = await signInAs(testDb.db, { email: "admin@example.com", role: "admin" });
  otherAdmin = await signInAs(testDb.db, { email: "admin2@example.com", role: "admin" });
  viewer = await signInAs(testDb.db, { email: "viewer@example.com", role: "viewer" });
});
afterAll(async () => {
  await testDb?.drop();
});

/** A 127.0.0.1 port nothing listens on (bound, then released). */
function findClosedPort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Everything in `value` as text (audit event ids are BigInt). */
function toText(value: unknown) {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === "bigint" ? item.toString() : item,
  );
}

const FINGERPRINT = "SHA256:2mJj1AnqQfhh1y0bLyyhM7rSYxDcm8NZ4XN/tTWzCDE";

function waitForJobEnd(caller: typeof admin, jobId: string) {
  return waitUntil(
    "the SSH job's end",
    async () => {
      const job = await caller.ssh.job({ jobId });
      return job.status === "running" ? null : job;
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

describe("ssh router", () => {
  it("offers the controller's public URL (or none) as the default, to admins only", async () => {
    expect(await admin.ssh.defaults()).toEqual({ controllerUrl: null });
    await expect(viewer.ssh.defaults()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("never stores or logs the credential, also when the job fails", async () => {
    const password = "pw-that-must-never-be-stored-7f3a9c";
    const port = await findClosedPort();
    const { jobId } = await admin.ssh.start({
      mode: "install",
      host: "127.0.0.1",
      port,
      username: "root",
      auth: { kind: "password", password },
      expectedFingerprint: FINGERPRINT,
      controllerUrl: "http://[2001:db8::1]:3000",
    });
    const job = await waitForJobEnd(admin, jobId);
    expect(job.status).toBe("failed");
    expect(job.steps[0]).toMatchObject({ id: "connect", status: "failed" });
    expect(job.error).toContain("Nothing listens for SSH");
    // Nothing after a failed step ran.
    expect(job.steps.slice(1).every((step) => step.status === "skipped")).toBe(true);
    expect(toText(job)).not.toContain(password);

    const events = await testDb.db.auditEvent.findMany({ where: { action: "ssh.install" } });
    expect(events).toHaveLength(1);
    expect(toText(events)).not.toContain(password);
    expect(events[0]?.change).toMatchObject({
      username: "root",
      fingerprint: FINGERPRINT,
      controllerUrl: "http://[2001:db8::1]:3000",
      frrMode: "auto",
    });
    // No enrollment token was created for a job that never got past connect.
    expect(await testDb.db.enrollmentToken.count()).toBe(0);
  });

  it("keeps a private key out of the job and the audit log too", async () => {
    const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-5d1e\n-----END";
    const { jobId } = await admin.ssh.start({
      mode: "preflight",
      host: "127.0.0.1",
      port: await findClosedPort(),
      username: "ops",
      auth: { kind: "key", privateKey, passphrase: "passphrase-2b7d" },
      expectedFingerprint: FINGERPRINT,
      controllerUrl: "https://controller.example",
      frrMode: "managed",
    });
    const job = await waitForJobEnd(admin, jobId);
    expect(job.status).toBe("failed");
    const events = await testDb.db.auditEvent.findMany({ where: { action: "ssh.preflight" } });
    for (const text of [toText(job), toText(events)]) {
      expect(text).not.toContain("not-a-real-key-5d1e");
      expect(text).not.toContain("passphrase-2b7d");
    }
  });

  it("refuses a fingerprint that is not SHA256, and shows a job only to who started it", async () => {
    const input = {
      mode: "preflight" as const,
      host: "127.0.0.1",
      port: await findClosedPort(),
      username: "root",
      auth: { kind: "password" as const, password: "x" },
      controllerUrl: "http://127.0.0.1:3000",
    };
    await expect(
      admin.ssh.start({ ...input, expectedFingerprint: "MD5:aa:bb" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      viewer.ssh.start({ ...input, expectedFingerprint: FINGERPRINT }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { jobId } = await admin.ssh.start({ ...input, expectedFingerprint: FINGERPRINT });
    await expect(otherAdmin.ssh.job({ jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await waitForJobEnd(admin, jobId);
  });
});
