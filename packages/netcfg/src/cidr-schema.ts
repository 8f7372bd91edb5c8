// The CIDR text schema on its own, so config.ts and route-sources.ts can both use it without
// importing each other.
import { z } from "zod";

/** An IPv4 or IPv6 prefix in CIDR notation, as text (validated in depth by the address module). */
export const ZCidr = z.string().min(3).max(43);
