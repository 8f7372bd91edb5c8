#!/usr/bin/env node
// `npm test`: set up what is missing (npm packages; as root on Debian also the system packages
// the browser and lab tests need), start a throwaway PostgreSQL unless DATABASE_URL is given,
// then run every tier and end with one line "N passed, N failed, N skipped".
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import {
  ROOT,
  checkNode,
  ensureAgentBuild,
  ensureDebianPackages,
  ensureNpmDependencies,
  ensurePrismaClient,
  ensureWebBuild,
  step,
} from "./lib/setup.mjs";
import { createFreshDatabase, startThrowawayPostgres } from "./lib/postgres.mjs";

const SYSTEM_PACKAGES = [
  "chromium",
  "frr",
  "frr-pythontools",
  "wireguard-go",
  "wireguard-tools",
  "iproute2",
  "iputils-ping",
  "openssh-server",
  "postgresql",
  // BIRD, the guest BGP speaker of the route-sources lab test (scenario D1).
  "bird2",
  // nft, the NAT routers of the underlay lab test.
  "nftables",
  // promtool, for the metrics test's `promtool check metrics`.
  "prometheus",
  // The VM tier: Debian guests under qemu, their image built with debootstrap.
  "qemu-system-x86",
  "debootstrap",
];
const ARTIFACTS = join(ROOT, ".artifacts");
const isCI = process.env.CI === "true" || process.env.CI === "1";
const isRoot = process.getuid?.() === 0;

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
/** Failed tests by tier: name and the first lines of why (printed again at the very end). */
const failedTests = [];
const started = performance.now();

function record(name, { passed = 0, failed = 0, skipped = 0 }) {
  const counts = { passed, failed, skipped };
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  if (failed > 0) failures.push(name);
  const mark = failed > 0 ? "\x1b[31m✖\x1b[0m" : "\x1b[32m✔\x1b[0m";
  console.log(`${mark} ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return counts;
}

/** Run one check whose only result is its exit status. */
function check(name, file, args, options = {}) {
  step(name);
  const result = spawnSync(file, args, { stdio: "inherit", cwd: ROOT, ...options });
  record(name, result.status === 0 ? { passed: 1 } : { failed: 1 });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** Run vitest with a JSON report and count its tests (returned, and added to the totals). */
function vitest(name, args, env) {
  step(name);
  const report = join(ARTIFACTS, `${name.replaceAll(/\W+/g, "-")}.json`);
  rmSync(report, { force: true });
  const result = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { stdio: "inherit", cwd: ROOT, env: { ...process.env, ...env } },
  );
  const json = readJson(report);
  if (!json) return record(name, { failed: 1 });
  for (const file of json.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status === "failed")
        failedTests.push([name, test.fullName, test.failureMessages?.[0]]);
    }
  }
  const failed = json.numFailedTests + (result.status !== 0 && json.numFailedTests === 0 ? 1 : 0);
  return record(name, {
    passed: json.numPassedTests,
    failed,
    skipped: json.numPendingTests + json.numTodoTests,
  });
}

/** Run Playwright with a JSON report and count its tests. */
function playwright(name, env) {
  step(name);
  const report = join(ARTIFACTS, "playwright.json");
  rmSync(report, { force: true });
  const result = spawnSync("npx", ["playwright", "test", "-c", "e2e/playwright.config.ts"], {
    stdio: "inherit",
    cwd: ROOT,
    env: { ...process.env, ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  const json = readJson(report);
  if (!json?.stats) return record(name, { failed: 1 });
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      const result = spec.tests?.flatMap((t) => t.results ?? []).at(-1);
      if (!spec.ok)
        failedTests.push([name, [...titles, spec.title].join(" > "), result?.error?.message]);
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of json.suites ?? []) walk(suite, []);
  const { expected, unexpected, flaky, skipped } = json.stats;
  const failed = unexpected + (result.status !== 0 && unexpected === 0 ? 1 : 0);
  record(name, { passed: expected + flaky, failed, skipped });
}

async function main() {
  checkNode();
  mkdirSync(ARTIFACTS, { recursive: true });
  const missing = ensureDebianPackages(SYSTEM_PACKAGES);
  if (missing.length > 0 && isCI)
    throw new Error(`system packages missing in CI: ${missing.join(" ")}`);
  ensureNpmDependencies();
  ensurePrismaClient();
  const vmImage = isRoot ? prepareVmImage() : null;

  let postgres = null;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    postgres = await startThrowawayPostgres({ log: step });
    databaseUrl = postgres.url;
  }
  const stopPostgres = () => postgres?.stop();
  process.on("exit", stopPostgres);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => process.exit(130));
  }

  const env = {
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
  };

  check("lint", "npx", ["eslint", "."]);
  check("format", "npx", ["prettier", "--check", "--log-level", "warn", "."]);
  for (const workspace of workspaces()) {
    check(`typecheck ${workspace}`, "npx", [
      "tsc",
      "--noEmit",
      "-p",
      join(workspace, "tsconfig.json"),
    ]);
  }
  vitest("unit and integration tests", [], env);

  step("build");
  try {
    ensureWebBuild();
    record("build", { passed: 1 });
  } catch (error) {
    console.error(error.message);
    record("build", { failed: 1 });
  }

  step("build agent and packages");
  try {
    ensureAgentBuild();
    record("build agent and packages", { passed: 1 });
  } catch (error) {
    console.error(error.message);
    record("build agent and packages", { failed: 1 });
  }

  if (existsSync("/usr/bin/chromium")) {
    const e2eUrl = await createFreshDatabase(databaseUrl, "meshover_e2e");
    playwright("browser tests", { ...env, E2E_DATABASE_URL: e2eUrl });
  } else {
    const note = "browser tests need /usr/bin/chromium (apt-get install chromium)";
    console.warn(`\n!!! SKIPPED: ${note}\n`);
    if (isCI) record("browser tests", { failed: 1 });
    else record("browser tests", { skipped: 1 });
  }

  const labConfig = join(ROOT, "e2e", "lab", "vitest.config.ts");
  if (existsSync(labConfig)) {
    if (isRoot) {
      vitest("network lab tests", ["-c", labConfig], { ...env, MESHOVER_LAB: "1" });
    } else {
      console.warn("\n!!! SKIPPED: the network lab tests need root (network namespaces).\n");
      if (isCI) record("network lab tests", { failed: 1 });
      else record("network lab tests", { skipped: 1 });
    }
  }

  const vmConfig = join(ROOT, "e2e", "vm", "vitest.config.ts");
  if (existsSync(vmConfig)) {
    let counts;
    if (isRoot) {
      const vmStarted = performance.now();
      const imageStatus = await vmImage;
      step(
        `vm image: ${imageStatus === 0 ? "ready" : "build failed (see .artifacts/vm-image.log)"}`,
      );
      counts = vitest("vm tests", ["-c", vmConfig], { ...env, MESHOVER_LAB: "1" });
      step(`vm tier wall time ${((performance.now() - vmStarted) / 1000).toFixed(0)} s`);
    } else {
      console.warn("\n!!! SKIPPED: the VM tests need root (qemu taps in a namespace).\n");
      counts = record("vm tests", isCI ? { failed: 1 } : { skipped: 1 });
    }
    console.log(
      `vm tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
    );
  }

  printFailureDigest();
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `\nwall time ${seconds} s${failures.length ? `; failed: ${failures.join(", ")}` : ""}`,
  );
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return totals.failed === 0 ? 0 : 1;
}

/**
 * What failed, once more at the end where a CI log's tail shows it: each failed test with the
 * first lines of its error, and the lab's digest of what was down when a lab test failed
 * (.artifacts/lab/<test>/digest.txt, written by this run).
 */
function printFailureDigest() {
  if (failedTests.length === 0) return;
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  const plain = (text) => String(text ?? "").replaceAll(/\x1b\[[0-9;]*m/g, "");
  console.log("\n── what failed ──");
  for (const [tier, test, why] of failedTests.slice(0, 12)) {
    console.log(`✖ ${tier}: ${test}`);
    for (const line of plain(why).split("\n").filter(Boolean).slice(0, 10))
      console.log(`    ${line.slice(0, 400)}`);
  }
  const labDir = join(ARTIFACTS, "lab");
  const runStarted = performance.timeOrigin + started;
  const digests = existsSync(labDir)
    ? readdirSync(labDir)
        .map((dir) => join(labDir, dir, "digest.txt"))
        .filter((file) => existsSync(file) && statSync(file).mtimeMs >= runStarted)
    : [];
  for (const file of digests.slice(0, 4)) {
    console.log(`\n${file.slice(ROOT.length + 1)}:`);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    for (const line of lines.slice(0, 40)) console.log(`  ${line.slice(0, 400)}`);
    if (lines.length > 40) console.log(`  (${lines.length - 40} more lines in the file)`);
  }
}

/**
 * Build the VM tier's guest image (when not cached) in the background while the other tiers
 * run; resolves with its exit status. The VM tests wait for the same build lock, so a failed or
 * missing build here only means they build it themselves.
 */
function prepareVmImage() {
  const log = openSync(join(ARTIFACTS, "vm-image.log"), "w");
  const child = spawn("npx", ["tsx", "e2e/vm/prepare-image.ts"], {
    cwd: ROOT,
    stdio: ["ignore", log, log],
  });
  return new Promise((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.on("error", () => resolve(1));
  });
}

/** The root and every workspace that has a tsconfig.json. */
function workspaces() {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const dirs = pkg.workspaces.flatMap((pattern) =>
    pattern.endsWith("/*")
      ? readdirSync(join(ROOT, pattern.slice(0, -2))).map((name) =>
          join(pattern.slice(0, -2), name),
        )
      : [pattern],
  );
  return [".", ...dirs.filter((dir) => existsSync(join(ROOT, dir, "tsconfig.json")))];
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`\n✖ ${error.stack ?? error}`);
    console.log(`${totals.passed} passed, ${totals.failed + 1} failed, ${totals.skipped} skipped`);
    process.exit(1);
  },
);
