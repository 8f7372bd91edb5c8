// When the dashboard stops believing a node: reports arrive every healthIntervalSec, so three
// missed reports (15 s at the default 5 s) mean the node is offline, however long the
// settings' staleAfterSec is. Pure: the clock is an input.

/** Missed report intervals after which a node counts as offline. */
export const MISSED_REPORTS_OFFLINE = 3;

/** Seconds without a report after which a node is offline (never under 10 s). */
export function offlineAfterSec(healthIntervalSec: number): number {
  return Math.max(10, MISSED_REPORTS_OFFLINE * healthIntervalSec);
}

/** Whether a node last seen at `lastSeenAt` is online at `now` (ms, the controller's clock). */
export function isSeenRecently(
  lastSeenAt: Date | string | null,
  now: number,
  healthIntervalSec: number,
): boolean {
  if (lastSeenAt == null) return false;
  return now - new Date(lastSeenAt).getTime() <= offlineAfterSec(healthIntervalSec) * 1000;
}
