// Random secrets and how they are stored: tokens, credentials and codes are high-entropy, so a
// SHA-256 digest is a safe lookup key; passwords are low-entropy and get Argon2id.
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

// `Algorithm.Argon2id` is an ambient const enum (unusable under isolatedModules); its value is 2.
const ARGON2ID = 2;

// OWASP password storage cheat sheet: Argon2id, 19 MiB memory, 2 iterations, 1 lane.
const ARGON2_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

/** A URL-safe random secret with `bytes` bytes of entropy, optionally prefixed (`mo_tok_...`). */
export function generateSecret(prefix = "", bytes = 32): string {
  return prefix + randomBytes(bytes).toString("base64url");
}

/** The stored form of a high-entropy secret (hex SHA-256). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Argon2id hash of a password, in PHC string form. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Whether `password` matches the PHC `passwordHash`. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}
