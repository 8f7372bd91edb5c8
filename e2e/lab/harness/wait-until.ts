// Pollers: wait until a predicate holds, with a named timeout whose error says what was awaited
// and the last state observed, so a failed lab test explains itself.

/** One observation: whether the awaited condition holds, and what was seen. */
export interface TObservation<T> {
  isDone: boolean;
  /** Shown in the timeout error; keep it short and specific (e.g. which sessions are down). */
  state: string;
  value?: T;
}

/** Options for {@link waitUntil}. */
export interface TWaitOptions {
  /** What is awaited, e.g. "all BGP sessions Established". */
  name: string;
  timeoutMs: number;
  intervalMs?: number;
}

/** The error thrown when a wait times out. */
export class LabTimeoutError extends Error {
  constructor(
    readonly awaited: string,
    readonly timeoutMs: number,
    readonly lastState: string,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${awaited}; last state: ${lastState}`);
    this.name = "LabTimeoutError";
  }
}

/**
 * Observe repeatedly until `observe` reports done; returns its value and the time it took.
 * A throwing observation counts as "not yet" (its message becomes the last state).
 */
export async function waitUntil<T>(
  options: TWaitOptions,
  observe: () => Promise<TObservation<T>>,
): Promise<{ value: T | undefined; elapsedMs: number }> {
  const started = performance.now();
  const intervalMs = options.intervalMs ?? 200;
  let lastState: string;
  for (;;) {
    try {
      const observation = await observe();
      lastState = observation.state;
      if (observation.isDone) {
        return { value: observation.value, elapsedMs: performance.now() - started };
      }
    } catch (error) {
      lastState = `observation failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (performance.now() - started >= options.timeoutMs) {
      throw new LabTimeoutError(options.name, options.timeoutMs, lastState);
    }
    await sleep(intervalMs);
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
