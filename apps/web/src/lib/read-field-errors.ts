// tRPC errors carry zod's flattened field errors (see errorFormatter in packages/api trpc.ts);
// forms show them under the right input.

/** First message per input field of a failed call, empty when there are none. */
export function readFieldErrors(error: unknown): Record<string, string | undefined> {
  const data = (
    error as {
      data?: { zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null };
    } | null
  )?.data;
  const fieldErrors = data?.zodError?.fieldErrors ?? {};
  return Object.fromEntries(
    Object.entries(fieldErrors).map(([key, messages]) => [key, messages?.[0]]),
  );
}
