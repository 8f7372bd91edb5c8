// Inputs of the routing procedures. Field syntax beyond the basics (interface globs, kernel
// protocols, prefixes, maximum lengths) is checked by netcfg's validateRoutingPolicy in the
// service, which names the offending field (error.data.path) for inline errors in forms.
import { z } from "zod";
import { zText } from "@meshover/netcfg";

/** Route sources as typed (each entry checked by the service). */
export const ZRouteSourcesInput = z
  .object({
    interfaces: z.array(zText().trim().min(1).max(32)).max(64),
    excludeInterfaces: z.array(zText().trim().min(1).max(32)).max(64),
    kernelProtocols: z.array(zText().trim().min(1).max(16)).max(16),
    ciliumPodCidr: z.boolean(),
    speakers: z
      .array(
        z
          .object({
            listenRange: zText().trim().min(3).max(43),
            asn: z.number().int(),
            maxPrefixes: z.number().int(),
          })
          .strict(),
      )
      .max(16),
  })
  .strict();

/** `routing.update` input: the node's whole policy. */
export const ZUpdateRoutingInput = z
  .object({
    nodeId: z.uuid(),
    mayOriginate: z.boolean(),
    exitNode: z.boolean(),
    maxPrefixes: z.number().int().min(0).max(100000),
    allowedRanges: z
      .array(
        z
          .object({
            prefix: zText().trim().min(3).max(43),
            maxLength: z.number().int().min(0).max(128),
            anycast: z.boolean().default(false),
            description: zText().trim().max(200).nullable().default(null),
          })
          .strict(),
      )
      .max(256),
    /** Null: follow the mesh default sources. */
    sources: ZRouteSourcesInput.nullable(),
  })
  .strict();
