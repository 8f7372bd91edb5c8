// Add a server over SSH against a real sshd this test starts on 127.0.0.1 (throwaway host key,
// user, key and password): the fingerprint shown must be the server's, a pasted wrong one is
// refused, a host key that changes after confirmation is refused by the controller, a wrong
// password is refused, and preflight runs for real with a key and with a password (this
// unprivileged user has no sudo, so "root or sudo" must fail).
import { expect, test } from "@playwright/test";
import { SCREENSHOT_DIR } from "./helpers/accounts";
import { type TTestSshd, canStartSshd, startSshd } from "./helpers/start-sshd";

let sshd: TTestSshd | undefined;

test.beforeAll(async () => {
  if (canStartSshd()) sshd = await startSshd();
});
test.afterAll(() => sshd?.stop());

test("add a server over SSH: host key confirmation, changed key refused, preflight", async ({
  page,
}) => {
  test.skip(!canStartSshd(), "starting sshd needs root (npm test runs as root)");
  const server = sshd!;
  await page.goto("/add");
  await page.getByRole("tab", { name: "Over SSH" }).click();
  await page.getByLabel("Host").fill("127.0.0.1");
  await page.getByLabel("Port").fill(String(server.port));
  await page.getByRole("button", { name: "Fetch host key" }).click();
  await expect(page.getByTestId("host-fingerprint")).toHaveText(server.hostFingerprint);

  // Nothing can start before the key is confirmed.
  await expect(page.getByRole("button", { name: "Run preflight" })).toBeDisabled();

  // A pasted fingerprint that differs is refused.
  await page
    .getByLabel("…or paste the expected fingerprint")
    .fill("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  await expect(page.getByText("This does not match the key the server presented")).toBeVisible();
  await expect(page.getByRole("button", { name: "Run preflight" })).toBeDisabled();
  await page.getByLabel("…or paste the expected fingerprint").fill(server.hostFingerprint);
  await expect(page.getByRole("button", { name: "Run preflight" })).toBeEnabled();

  await page.getByLabel("User", { exact: true }).fill(server.username);
  // Without MESHOVER_PUBLIC_URL the server is told the address this page was loaded from.
  await expect(page.getByLabel("Controller URL the server will use")).toHaveValue(
    new URL(page.url()).origin,
  );

  // Password login: a wrong password is refused with what to check; nothing runs.
  await page.getByRole("radio", { name: "Password" }).check();
  await page.locator("#ssh-password").fill(`${server.password}-wrong`);
  await page.getByRole("button", { name: "Run preflight" }).click();
  await expect(page.getByTestId("ssh-job-error")).toContainText("SSH login refused");
  await expect(page.getByTestId("ssh-job-error")).toContainText("password or key");
  await expect(page.getByRole("list", { name: "Preflight checks" })).toHaveCount(0);

  await page.getByRole("radio", { name: "Private key" }).check();
  await page.getByLabel("Private key (OpenSSH or PEM)").fill(server.privateKey);

  // The server is "reinstalled" after the admin confirmed its key: the controller must refuse.
  const newFingerprint = await server.changeHostKey();
  await page.getByRole("button", { name: "Run preflight" }).click();
  await expect(page.getByTestId("ssh-job-error")).toContainText("Host key mismatch");
  await expect(page.getByTestId("ssh-job-error")).toContainText(newFingerprint);

  // Confirm the new key, then preflight for real.
  await page.getByRole("button", { name: "Fetch host key" }).click();
  await expect(page.getByTestId("host-fingerprint")).toHaveText(newFingerprint);
  await page.getByLabel("…or paste the expected fingerprint").fill("");
  await page.getByLabel("I verified this fingerprint").check();
  await page.getByRole("button", { name: "Run preflight" }).click();
  const checks = page.getByRole("list", { name: "Preflight checks" });
  await expect(checks).toBeVisible({ timeout: 20_000 });
  await expect(checks.getByRole("listitem").filter({ hasText: "Linux" })).toHaveAttribute(
    "data-status",
    "pass",
  );
  await expect(
    checks.getByRole("listitem").filter({ hasText: "Root or passwordless sudo" }),
  ).toHaveAttribute("data-status", "fail");
  await expect(page.getByTestId("ssh-job-error")).toContainText("preflight check(s) failed");
  const steps = page.getByRole("list", { name: "Progress" });
  await expect(
    steps.getByRole("listitem").filter({ hasText: "Connect and verify host key" }),
  ).toHaveAttribute("data-status", "done");
  await page.screenshot({ path: `${SCREENSHOT_DIR}add-server-ssh.png`, fullPage: true });

  // The right password logs in just as well (preflight runs and fails "root or sudo" again).
  await page.getByRole("radio", { name: "Password" }).check();
  await page.locator("#ssh-password").fill(server.password);
  await page.getByRole("button", { name: "Run preflight" }).click();
  await expect(
    checks.getByRole("listitem").filter({ hasText: "Root or passwordless sudo" }),
  ).toHaveAttribute("data-status", "fail", { timeout: 20_000 });
  await expect(
    steps.getByRole("listitem").filter({ hasText: "Connect and verify host key" }),
  ).toHaveAttribute("data-status", "done");
});
