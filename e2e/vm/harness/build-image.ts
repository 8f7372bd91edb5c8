// The guest image of the VM tier, built by e2e/vm/image/build-image.sh from Debian packages and
// cached OUTSIDE the repository (/var/cache/meshover-vm/<hash of the recipe>), so a fresh machine
// builds it once inside `npm test` and later runs reuse it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../lab/harness/lab-env";
import { runCommand } from "../../lab/harness/run-command";

/** Where built images live (override: MESHOVER_VM_CACHE). */
export const VM_CACHE = process.env.MESHOVER_VM_CACHE ?? "/var/cache/meshover-vm";

const RECIPE = join(REPO_ROOT, "e2e", "vm", "image", "build-image.sh");

/** Files of a built image. */
export interface TVmImage {
  dir: string;
  rootImage: string;
  kernel: string;
  initrd: string;
  /** The throwaway key root and "tester" log in with. */
  sshKey: string;
  /** Whether this call built it (false: taken from the cache). */
  wasBuilt: boolean;
  buildMs: number;
}

/** The mirror apt uses on this machine (the image is built from the same one). */
function readMirror() {
  const sources = "/etc/apt/sources.list.d/debian.sources";
  if (existsSync(sources)) {
    const match = /^URIs:\s*(\S+)/m.exec(readFileSync(sources, "utf8"));
    if (match?.[1]) return match[1];
  }
  return "http://deb.debian.org/debian";
}

/** The cached image for the current recipe, built first when missing. */
export async function ensureImage(log: (line: string) => void): Promise<TVmImage> {
  const mirror = readMirror();
  const key = createHash("sha256")
    .update(readFileSync(RECIPE))
    .update(mirror)
    .digest("hex")
    .slice(0, 16);
  const dir = join(VM_CACHE, `bookworm-${key}`);
  const image = (wasBuilt: boolean, buildMs: number): TVmImage => ({
    dir,
    rootImage: join(dir, "root.img"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    sshKey: join(dir, "id_ed25519"),
    wasBuilt,
    buildMs,
  });
  if (existsSync(join(dir, "root.img"))) return image(false, 0);
  mkdirSync(VM_CACHE, { recursive: true });
  // Older recipes' images are dead weight (about 700 MB each).
  for (const name of readdirSync(VM_CACHE)) {
    if (name.startsWith("bookworm-") && !name.includes(".tmp.")) {
      rmSync(join(VM_CACHE, name), { recursive: true, force: true });
    }
  }
  log(`building the guest image ${dir} (debootstrap; a few minutes, once)`);
  const started = performance.now();
  // flock: two runs building at once would both debootstrap into the cache.
  await runCommand(
    [
      "flock",
      join(VM_CACHE, ".build.lock"),
      "sh",
      "-c",
      `[ -f '${dir}/root.img' ] || sh '${RECIPE}' '${dir}' '${mirror}'`,
    ],
    {
      timeoutMs: 20 * 60_000,
    },
  );
  return image(true, performance.now() - started);
}
