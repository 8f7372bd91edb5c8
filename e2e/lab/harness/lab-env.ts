// Whether the lab may run here (root and an explicit switch: npm test sets MESHOVER_LAB=1), and
// where the repository is.
import { fileURLToPath } from "node:url";

/** True when lab tests should run (root and MESHOVER_LAB=1). */
export const isLabEnabled = process.env.MESHOVER_LAB === "1" && process.getuid?.() === 0;

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
