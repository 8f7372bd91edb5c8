import { z } from "zod";

/** Input naming one node. */
export const ZNodeIdInput = z.object({ nodeId: z.uuid() }).strict();
