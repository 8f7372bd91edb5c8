// The shapes of the files in the agent's state folder (StateStore reads and writes them).
import { z } from "zod";
import { ZWireguardKey } from "@meshover/netcfg";

/** Who this node is and how it reaches its controller (written by `join`). */
export const ZIdentity = z.object({
  nodeId: z.uuid(),
  name: z.string(),
  controller: z.string().url(),
  credential: z.string().min(1),
  isHttpAllowed: z.boolean(),
  /** SHA-256 of the controller certificate (hex or base64), when pinned. */
  pinSha256: z.string().nullable(),
  /** Underlay endpoints reported to the controller. */
  endpoints: z.array(z.string()),
});

/** Contents of identity.json. */
export type TIdentity = z.infer<typeof ZIdentity>;

/** One WireGuard key pair and the rotation it was made for (null for the join key). */
export const ZKeyPairOnly = z.object({
  privateKey: ZWireguardKey,
  publicKey: ZWireguardKey,
  /** The rotation this pair was generated for, null for the join key. */
  rotationId: z.uuid().nullable(),
});

/** The WireGuard keys; the private keys never leave this folder. */
export const ZKeyPair = ZKeyPairOnly.extend({
  /** The config's keySlot when this pair became current (absent: 0). */
  slot: z.number().int().min(0).max(1).optional(),
  /**
   * The pair made for a running rotation: its tunnels are built beside the current ones, and
   * it becomes current when the controller flips the node's keySlot (make-before-break).
   */
  next: ZKeyPairOnly.nullish(),
});

/** A key pair without rotation state. */
export type TKeyPairOnly = z.infer<typeof ZKeyPairOnly>;

/** Contents of keys.json. */
export type TKeyPair = z.infer<typeof ZKeyPair>;

/** What the agent created on the host and the processes it started. */
export const ZOwnedRecord = z.object({
  links: z.array(z.string()),
  addresses: z.array(z.object({ device: z.string(), cidr: z.string() })),
  /** wireguard-go PIDs by interface. */
  wireguardGo: z.record(z.string(), z.number().int()),
  /** Managed FRR daemons: pathspace and PIDs by daemon name. */
  frr: z.object({ pathspace: z.string(), pids: z.record(z.string(), z.number().int()) }).nullable(),
  /** Files meshover wrote outside the state folder (FRR folders). */
  paths: z.array(z.string()),
});

/** Contents of owned.json. */
export type TOwnedRecord = z.infer<typeof ZOwnedRecord>;

/** An empty ownership record. */
export const EMPTY_OWNED_RECORD: TOwnedRecord = {
  links: [],
  addresses: [],
  wireguardGo: {},
  frr: null,
  paths: [],
};

/** What the agent found out about the host once (probing creates links; do it only once). */
export const ZHostFacts = z.object({
  wireguardMode: z.enum(["kernel", "wireguard-go"]).optional(),
  addressDevice: z.enum(["meshover0", "lo"]).optional(),
});

/** Contents of host-facts.json. */
export type THostFacts = z.infer<typeof ZHostFacts>;

/** The last config applied (or received), kept to rebuild the mesh without the controller. */
