// Whether a peer's handshake counts for a key rotation. WireGuard reports handshake times in
// whole seconds (`wg show dump`), the controller stamps reportedAt in milliseconds: a handshake
// in the same second as the report reads as before it. Comparing exact times therefore dropped
// the fast case (a quiet mesh handshakes within a second of the new key) and the rotation then
// waited for the next re-key, 120 s later: the ~125 s first rotation of issue 15.

/** True when `handshakeAt` (whole seconds) is not before the second `reportedAt` falls in. */
export function isHandshakeSince(handshakeAt: Date, reportedAt: Date): boolean {
  return handshakeAt.getTime() >= Math.floor(reportedAt.getTime() / 1000) * 1000;
}
