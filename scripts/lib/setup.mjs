// Shared set-up steps of `npm start` and `npm test`: system packages, npm dependencies, the
// Prisma client and the web build, each done only when missing or out of date.
// Node built-ins only: this runs before dependencies exist.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const MIN_NODE = [20, 19];

/** Print a step line the way every script here does. */
export function step(message) {
  console.log(`\x1b[36m▸\x1b[0m ${message}`);
}

/** Run argv (never a shell string) with inherited output; throws on failure. */
export function run(file, args, options = {}) {
  const result = spawnSync(file, args, { stdio: "inherit", cwd: ROOT, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${[file, ...args].join(" ")} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

/** Refuse to go on with a Node.js older than the toolchain needs. */
export function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    throw new Error(`Node.js >= ${MIN_NODE.join(".")} is required (this is ${process.version})`);
  }
}

function isDebianPackageInstalled(name) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

/**
 * Install missing Debian packages when running as root on a machine with apt. Elsewhere, say
 * what is missing and return the list (callers decide whether that is fatal).
 */
export function ensureDebianPackages(names) {
  if (!existsSync("/usr/bin/dpkg-query")) return names;
  const missing = names.filter((name) => !isDebianPackageInstalled(name));
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    console.warn(`! missing system packages (install them as root): ${missing.join(" ")}`);
    return missing;
  }
  step(`installing system packages: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Another apt run (unattended upgrades, a second checkout's setup) holds dpkg's lock for a
  // while: wait for it instead of failing the whole run.
  const wait = ["-o", "DPkg::Lock::Timeout=600"];
  run("apt-get", [...wait, "update", "-qq"], { env });
  run("apt-get", [...wait, "install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
  return [];
}

function hashFiles(paths) {
  const hash = createHash("sha256");
  for (const path of paths) {
    hash.update(relative(ROOT, path));
    hash.update("\0");
    hash.update(readFileSync(path));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const SKIP_DIRS = new Set([
  "node_modules",
  ".next",
  ".turbo",
  "dist",
  ".cache",
  "generated",
  "test-results",
  "playwright-report",
]);

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function isStampCurrent(stampPath, digest) {
  return existsSync(stampPath) && readFileSync(stampPath, "utf8") === digest;
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNpmDependencies() {
  const lock = join(ROOT, "package-lock.json");
  const stamp = join(ROOT, "node_modules", ".meshover-lock-hash");
  const digest = hashFiles([lock]);
  if (isStampCurrent(stamp, digest)) return;
  step("installing npm dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"], { env: { ...process.env, CI: "true" } });
  writeFileSync(stamp, digest);
}

/** `prisma generate` when the generated client is missing or the schema changed. */
export function ensurePrismaClient() {
  const schema = join(ROOT, "prisma", "schema.prisma");
  const stamp = join(ROOT, "prisma", "generated", ".meshover-schema-hash");
  const digest = hashFiles([schema, join(ROOT, "package-lock.json")]);
  if (isStampCurrent(stamp, digest)) return;
  step("generating the Prisma client");
  run("npm", ["run", "--silent", "generate", "-w", "@meshover/prisma"]);
  writeFileSync(stamp, digest);
}

/**
 * The prologue of every script that runs workspace code (`npm start`, `npm run bench`, `npm run
 * fuzz`): a new enough Node.js, npm dependencies and the Prisma client, each only when missing
 * or out of date.
 */
export function prepareWorkspace() {
  checkNode();
  ensureNpmDependencies();
  ensurePrismaClient();
}

/**
 * The agent's downloads (apps/agent/dist: the one-file agent, the .deb packages, install.sh)
 * when the agent, netcfg or the lock file changed since the last build: the controller serves
 * them at /install.sh and /downloads/.
 */
export function ensureAgentBuild({ force = false } = {}) {
  const sources = [
    ...listFiles(join(ROOT, "apps", "agent")),
    ...listFiles(join(ROOT, "packages", "netcfg")),
    join(ROOT, "docs", "agent.md"),
    join(ROOT, "package-lock.json"),
  ].filter((path) => statSync(path).isFile());
  const stamp = join(ROOT, "apps", "agent", "dist", "meshover-source-hash");
  const digest = hashFiles(sources);
  if (!force && isStampCurrent(stamp, digest)) return false;
  step("building the agent and its packages (install.sh, .deb)");
  run("npm", ["run", "--silent", "build", "-w", "@meshover/agent"]);
  writeFileSync(stamp, digest);
  return true;
}

/** `next build` when the web app or anything it imports changed since the last build. */
export function ensureWebBuild({ force = false } = {}) {
  const sources = [
    ...listFiles(join(ROOT, "apps", "web")),
    ...listFiles(join(ROOT, "packages")),
    join(ROOT, "prisma", "schema.prisma"),
    join(ROOT, "package-lock.json"),
  ].filter((path) => statSync(path).isFile());
  const stamp = join(ROOT, "apps", "web", ".next", "meshover-source-hash");
  const digest = hashFiles(sources);
  if (!force && isStampCurrent(stamp, digest)) return false;
  step("building the web app (next build)");
  // Under the build lock: a running lab controller holds it shared while it serves .next.
  const build = existsSync("/usr/bin/flock")
    ? ["flock", ["/tmp/meshover-next-build.lock", "npx", "next", "build"]]
    : ["npx", ["next", "build"]];
  run(build[0], build[1], {
    cwd: join(ROOT, "apps", "web"),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(stamp, digest);
  return true;
}
