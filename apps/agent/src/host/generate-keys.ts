// WireGuard key pairs are made on the node with `wg genkey`/`wg pubkey`; the private key
// never leaves it.
import { ZWireguardKey } from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TKeyPair } from "../state/state-files";

/** Generate a key pair (for `join`, or for a rotation with its id). */
export async function generateKeyPair(
  runner: TRunner,
  rotationId: string | null,
): Promise<TKeyPair> {
  const privateKey = (await runChecked(runner, ["wg", "genkey"], { isSecret: true })).stdout.trim();
  const publicKey = (
    await runChecked(runner, ["wg", "pubkey"], { input: `${privateKey}\n`, isSecret: true })
  ).stdout.trim();
  return {
    privateKey: ZWireguardKey.parse(privateKey),
    publicKey: ZWireguardKey.parse(publicKey),
    rotationId,
  };
}
