// The agent's downloads for servers, written to dist/downloads (served by the controller at
// /downloads/<file>, next to /install.sh):
//   meshover-agent-node.deb     Architecture: all. The one-file agent run by the distro's nodejs
//                               (>= 18.19: Debian 12, Ubuntu 24.04), on any CPU.
//   meshover-agent-amd64.deb    Architecture: amd64. A Node single executable application: no
//                               nodejs needed (Ubuntu 22.04 ships Node 12). Built when this Node
//                               can (x64 with SEA support); other architectures cannot be built
//                               here (no foreign Node binary to embed).
//   meshover-agent.mjs          The one-file agent, for servers without dpkg or systemd.
//   install.sh                  The installer.
//   SHA256SUMS                  Checked by the installer before it installs anything.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const AGENT_DIR = fileURLToPath(new URL("..", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
const DIST = join(AGENT_DIR, "dist");
const OUT = join(DIST, "downloads");
const WORK = join(DIST, "deb-root");

function run(file, args, options = {}) {
  const result = spawnSync(file, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

function sizeOfTree(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += sizeOfTree(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

/** Lay out the files every variant shares: unit, maintainer scripts, docs. */
function layoutCommon(root) {
  mkdirSync(join(root, "DEBIAN"), { recursive: true });
  mkdirSync(join(root, "lib/systemd/system"), { recursive: true });
  mkdirSync(join(root, "usr/bin"), { recursive: true });
  mkdirSync(join(root, "usr/lib/meshover"), { recursive: true });
  mkdirSync(join(root, "usr/share/doc/meshover-agent"), { recursive: true });
  copyFileSync(
    join(AGENT_DIR, "systemd/meshover-agent.service"),
    join(root, "lib/systemd/system/meshover-agent.service"),
  );
  copyFileSync(
    join(AGENT_DIR, "../../docs/agent.md"),
    join(root, "usr/share/doc/meshover-agent/agent.md"),
  );
  for (const script of ["postinst", "prerm", "postrm"]) {
    copyFileSync(join(HERE, "debian", script), join(root, "DEBIAN", script));
    chmodSync(join(root, "DEBIAN", script), 0o755);
  }
}

function writeControl(root, { version, architecture, depends }) {
  const control = [
    "Package: meshover-agent",
    `Version: ${version}`,
    `Architecture: ${architecture}`,
    "Maintainer: meshover <noreply@meshover.invalid>",
    `Depends: ${depends.join(", ")}`,
    "Recommends: frr, frr-pythontools",
    "Section: net",
    "Priority: optional",
    `Installed-Size: ${Math.ceil(sizeOfTree(root) / 1024)}`,
    "Description: meshover agent: WireGuard tunnels and BGP for the meshover mesh",
    " Joins a meshover controller, builds one WireGuard tunnel per peer and drives",
    " FRR (BGP + BFD) so every server reaches every other over the mesh.",
    "",
  ].join("\n");
  writeFileSync(join(root, "DEBIAN/control"), control);
}

const BASE_DEPENDS = ["iproute2", "wireguard-tools", "iputils-ping"];

function packNode(version) {
  const root = join(WORK, "node");
  rmSync(root, { recursive: true, force: true });
  layoutCommon(root);
  copyFileSync(join(DIST, "meshover-agent.mjs"), join(root, "usr/lib/meshover/meshover-agent.mjs"));
  writeFileSync(
    join(root, "usr/bin/meshover-agent"),
    '#!/bin/sh\nexec /usr/bin/node /usr/lib/meshover/meshover-agent.mjs "$@"\n',
    { mode: 0o755 },
  );
  writeControl(root, {
    version,
    architecture: "all",
    depends: ["nodejs (>= 18.19)", ...BASE_DEPENDS],
  });
  run(
    "dpkg-deb",
    ["--root-owner-group", "-Zxz", "--build", root, join(OUT, "meshover-agent-node.deb")],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

/** Whether this Node can make a single executable application of itself (x64 only here). */
function canBuildSea() {
  if (process.arch !== "x64" || process.platform !== "linux") return false;
  try {
    createRequire(import.meta.url).resolve("postject/package.json");
  } catch {
    return false;
  }
  return readFileSync(process.execPath).includes("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2");
}

function packSea(version) {
  const root = join(WORK, "sea");
  rmSync(root, { recursive: true, force: true });
  layoutCommon(root);
  const blob = join(WORK, "sea.blob");
  const config = join(WORK, "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main: join(DIST, "meshover-agent.cjs"),
      output: blob,
      disableExperimentalSEAWarning: true,
    }),
  );
  run(process.execPath, ["--experimental-sea-config", config], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const binary = join(root, "usr/lib/meshover/meshover-agent");
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  // Node's symbols are a tenth of the binary and nothing on a server reads them (binutils).
  if (spawnSync("strip", ["--strip-all", binary]).status !== 0) {
    console.warn("! strip (binutils) failed or is missing: the agent binary keeps its symbols");
  }
  const postject = createRequire(import.meta.url).resolve("postject/dist/cli.js");
  run(
    process.execPath,
    [
      postject,
      binary,
      "NODE_SEA_BLOB",
      blob,
      "--sentinel-fuse",
      "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
    ],
    // postject's LIEF prints a warning per ELF note section: noise, the exit status tells.
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  symlinkSync("../lib/meshover/meshover-agent", join(root, "usr/bin/meshover-agent"));
  writeControl(root, {
    version,
    architecture: "amd64",
    // The binary links glibc and libstdc++ like Node's own release builds.
    depends: ["libc6 (>= 2.28)", "libstdc++6", ...BASE_DEPENDS],
  });
  // zstd -10: 28 MB in about 2 s; xz -6 made 22 MB but took 1.5 min on two busy cores, at every
  // agent change in npm start / npm test. dpkg reads zstd since Debian 12 and Ubuntu 21.10.
  run(
    "dpkg-deb",
    [
      "--root-owner-group",
      "-Zzstd",
      "-z10",
      "--build",
      root,
      join(OUT, "meshover-agent-amd64.deb"),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
}

function writeChecksums() {
  const lines = readdirSync(OUT)
    .filter((name) => name !== "SHA256SUMS")
    .sort()
    .map((name) => {
      const digest = createHash("sha256")
        .update(readFileSync(join(OUT, name)))
        .digest("hex");
      return `${digest}  ${name}`;
    });
  writeFileSync(join(OUT, "SHA256SUMS"), `${lines.join("\n")}\n`);
}

/** Build every download into dist/downloads. Needs dpkg-deb (and strip for the binary). */
export async function buildPackages({ log = console.log } = {}) {
  const { version } = JSON.parse(readFileSync(join(AGENT_DIR, "package.json"), "utf8"));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  copyFileSync(join(HERE, "install.sh"), join(OUT, "install.sh"));
  copyFileSync(join(DIST, "meshover-agent.mjs"), join(OUT, "meshover-agent.mjs"));
  packNode(version);
  if (canBuildSea()) {
    packSea(version);
  } else {
    log(
      `! no self-contained agent binary: this Node (${process.platform}-${process.arch}) cannot build one; servers need nodejs >= 18.19`,
    );
  }
  rmSync(WORK, { recursive: true, force: true });
  writeChecksums();
}
