import { z } from "zod";

/** A host name or address (no scheme, no port). */
export const ZSshHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, "a host name or IP address");

/** SSH port. */
export const ZSshPort = z.number().int().min(1).max(65535);
