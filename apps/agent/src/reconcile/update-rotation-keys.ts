// The node's side of a make-before-break key rotation (netcfg derive-rotation-tunnels.ts): the
// config asks for a rotation → make a next key pair and keep the current one (its tunnels carry
// traffic until the new ones work); the controller flips the node's keySlot → the next key
// becomes current; the rotation is gone without a flip (timed out, superseded) → drop the next
// key. Runs at the start of every pass, before the tunnels are derived.
import type { TDesiredNodeConfig } from "@meshover/netcfg";
import type { TRunner } from "../exec/run-command";
import { generateKeyPair } from "../host/generate-keys";
import type { TLogger } from "../log";
import type { StateStore } from "../state/state-store";

/** What updateRotationKeys did. */
export type TKeyUpdate = "made" | "promoted" | "dropped" | null;

/** Bring keys.json in line with the config's rotation state; see the file comment. */
export async function updateRotationKeys({
  config,
  store,
  runner,
  logger,
}: {
  config: TDesiredNodeConfig;
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
}): Promise<TKeyUpdate> {
  const keys = store.readKeys();
  if (!keys) return null;
  const slot = config.self.keySlot ?? 0;
  if (slot !== (keys.slot ?? 0)) {
    if (keys.next) {
      store.writeKeys({ ...keys.next, slot, next: null });
      logger.info(
        { rotationId: keys.next.rotationId, publicKey: keys.next.publicKey },
        "promoted the next WireGuard key",
      );
      return "promoted";
    }
    // A flip for a key this node does not hold (state restored from a backup): keep using the
    // current key; the controller still has it as the node's key unless a rotation finished.
    store.writeKeys({ ...keys, slot });
  }
  const rotation = config.rotation;
  let update: TKeyUpdate = null;
  if (keys.next && keys.next.rotationId !== rotation?.id) {
    store.writeKeys({ ...keys, slot, next: null });
    logger.info({ rotationId: keys.next.rotationId }, "dropped the next WireGuard key");
    update = "dropped";
  } else if (keys.next) {
    return null;
  }
  if (!rotation || keys.rotationId === rotation.id) return update;
  const next = await generateKeyPair(runner, rotation.id);
  store.writeKeys({ ...keys, slot, next });
  logger.info(
    { rotationId: rotation.id, publicKey: next.publicKey },
    "made the next WireGuard key",
  );
  return "made";
}
