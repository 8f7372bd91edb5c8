import { randomBytes } from "node:crypto";
import type { TPrismaClient } from "@meshover/prisma";

/** A random RFC 4193 unique-local /48 (fdXX:XXXX:XXXX::/48). */
export function generateUlaPrefix(): string {
  const b = randomBytes(5);
  const hex = (i: number) => b.readUInt16BE(i).toString(16);
  return `fd${b[0]!.toString(16).padStart(2, "0")}:${hex(1)}:${hex(3)}::/48`;
}

/**
 * Create the settings row on first start (with this installation's ULA /48); later starts keep
 * what is there. Safe to race: the row has a fixed id.
 */
export async function ensureSettings({ db }: { db: TPrismaClient }) {
  return db.setting.upsert({
    where: { id: 1 },
    create: { id: 1, ipv6Pool: generateUlaPrefix() },
    update: {},
    select: { id: true, ipv4Pool: true, ipv6Pool: true, meshVersion: true },
  });
}
