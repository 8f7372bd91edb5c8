// Signing in to a lab mesh's own controller (the lab prints its admin), for the lab specs.
import { expect, type Page } from "@playwright/test";
import type { LabMesh } from "../../lab/harness/start-mesh";

/** Sign in as the lab's admin and wait for the topology page. */
export async function signInToLab(page: Page, lab: LabMesh) {
  await page.goto(`${lab.controller.url}/login`);
  await page.getByLabel("E-mail").fill(lab.controller.adminEmail);
  await page.getByLabel("Password").fill(lab.controller.adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
}
