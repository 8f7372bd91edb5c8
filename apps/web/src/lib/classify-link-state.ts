// The colour of a link from the BGP state each end reported. FRR says Connect or Active for a
// peer that has vanished (only a few states ever read "Idle"), so those words alone cannot tell
// a session coming up from one that broke. What can: the other end (one end Established and a
// later report from the other end saying otherwise means it broke), the other end's silence (a
// peer that stopped reporting is gone), and whether this page saw the link Established before. Pure, so each rule is unit-tested.

/** The overall state of a link, which colours its edge. */
export type TLinkVerdict = "established" | "connecting" | "down";

/** One end of a link: its reported BGP state, when it reported, and whether that is fresh. */
export type TLinkEnd = { bgpState: string | null; at: number | null; isFresh: boolean };

/** States in which a BGP session is on its way up (RFC 4271 names as FRR prints them). */
const COMING_UP = new Set(["connect", "active", "opensent", "openconfirm"]);

function isEstablished(state: string | null) {
  return state?.toLowerCase() === "established";
}

/**
 * Classify a link. `wasEstablished`: the link was seen Established earlier (so a session in
 * Connect/Active now is a broken one, not a new one).
 */
export function classifyLinkState(options: {
  ends: readonly TLinkEnd[];
  wasEstablished: boolean;
}): TLinkVerdict {
  const fresh = options.ends.filter((end) => end.isFresh);
  if (fresh.length === 0) return "down";
  const established = fresh.filter((end) => isEstablished(end.bgpState));
  if (established.length === fresh.length) return "established";
  // One end Established and the other not. If the other end said so after the Established
  // report, the session broke (the established end's report predates the break, or it has
  // not noticed yet); if before, it is a session coming up that the other end has not
  // reported since.
  if (established.length > 0) {
    const lastEstablished = Math.max(...established.map((end) => end.at ?? 0));
    const isBrokenSince = fresh.some(
      (end) => !isEstablished(end.bgpState) && (end.at ?? 0) >= lastEstablished,
    );
    return isBrokenSince || options.wasEstablished ? "down" : "connecting";
  }
  // A silent or missing peer will not complete a handshake.
  if (fresh.length < options.ends.length) return "down";
  const isComingUp = fresh.every((end) => COMING_UP.has(end.bgpState?.toLowerCase() ?? ""));
  if (!isComingUp) return "down";
  return options.wasEstablished ? "down" : "connecting";
}

/** The key of the link between two nodes, whichever end it is named from. */
export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * Add to `seen` the links that `directions` show Established (one end saying so is enough: the
 * session was up). Returns `seen` itself when nothing is new, so state does not change.
 */
export function rememberEstablished(
  seen: ReadonlySet<string>,
  directions: readonly { nodeId: string; peerId: string; bgpState: string | null }[],
): ReadonlySet<string> {
  const fresh = directions
    .filter((d) => isEstablished(d.bgpState))
    .map((d) => linkKey(d.nodeId, d.peerId))
    .filter((key) => !seen.has(key));
  return fresh.length === 0 ? seen : new Set([...seen, ...fresh]);
}
