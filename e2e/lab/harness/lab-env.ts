// Whether the lab may run here: root and an explicit switch (npm test sets MESHOVER_LAB=1).

/** True when lab tests should run (root and MESHOVER_LAB=1). */
export const isLabEnabled = process.env.MESHOVER_LAB === "1" && process.getuid?.() === 0;
