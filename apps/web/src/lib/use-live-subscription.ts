"use client";
// Connection bookkeeping for the dashboard's SSE views: whether the stream is live, since when
// it is not, and the offset of the controller's clock (every event carries serverTime), so
// ages are judged by the clock that stamped the reports. A stream that fails is resubscribed;
// the last state stays on screen meanwhile.
import { useEffect, useRef, useState } from "react";
import { isUnauthorized } from "~/trpc/react";

/** How the live stream is doing. */
export type TLiveStatus = {
  /** Events are arriving. */
  isLive: boolean;
  /** When the stream was lost (ms, browser clock); null while live or before the first event. */
  staleSince: number | null;
  /** Add to Date.now() to get the controller's time. */
  clockOffsetMs: number;
};

/** The parts of useSubscription's result this needs. */
type TSubscriptionState = {
  status: "idle" | "connecting" | "pending" | "error";
  error: unknown;
  reset: () => void;
};

/** Resubscribe this long after a stream ended in an error. */
const RESUBSCRIBE_MS = 2_000;

/**
 * Live-stream bookkeeping: spread `handlers` into the subscription's options and call `onEvent`
 * with each event's serverTime; pass the subscription to {@link useResubscribe}.
 */
export function useLiveStatus() {
  const [clockOffsetMs, setClockOffsetMs] = useState(0);
  const [staleSince, setStaleSince] = useState<number | null>(null);
  const [hasData, setHasData] = useState(false);
  const offsetRef = useRef(0);
  const hasDataRef = useRef(false);

  const onEvent = (serverTime: Date | string) => {
    const offset = new Date(serverTime).getTime() - Date.now();
    // Ignore jitter under a second: every event would otherwise re-render everything.
    if (Math.abs(offset - offsetRef.current) > 1_000) {
      offsetRef.current = offset;
      setClockOffsetMs(offset);
    }
    hasDataRef.current = true;
    setHasData(true);
    setStaleSince(null);
  };
  const onConnectionStateChange = (state: { state: string }) => {
    if (state.state !== "pending" && hasDataRef.current)
      setStaleSince((since) => since ?? Date.now());
  };
  const onError = () => {
    if (hasDataRef.current) setStaleSince((since) => since ?? Date.now());
  };

  const live: TLiveStatus = { isLive: hasData && staleSince === null, staleSince, clockOffsetMs };
  return {
    live,
    handlers: { onConnectionStateChange, onError },
    onEvent,
  };
}

/** Resubscribe `subscription` after an error (or sign in again when the session is gone). */
export function useResubscribe(subscription: TSubscriptionState): void {
  const { status, error, reset } = subscription;
  useEffect(() => {
    if (status !== "error") return;
    if (isUnauthorized(error)) {
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`/login?expired=1&next=${next}`);
      return;
    }
    const timer = setTimeout(reset, RESUBSCRIBE_MS);
    return () => clearTimeout(timer);
  }, [status, error, reset]);
}
