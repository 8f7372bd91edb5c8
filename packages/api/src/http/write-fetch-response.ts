// Writing a fetch Response (what tRPC's fetch adapter answers) to a node:http response, for the
// controller's server and the test host alike: streamed with backpressure so SSE stays open.
import type { ServerResponse } from "node:http";

/** Wait until `res` drained its buffered writes, or closed (at once if it is destroyed). */
export function waitForDrain(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Write a fetch Response to a node response, streaming the body (SSE stays open). */
export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  res.on("close", () => void reader.cancel().catch(() => undefined));
  let isCorked = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // An SSE event arrives as several small chunks (data, id, blank line): cork so they
      // leave in one writev instead of one syscall each.
      if (!isCorked) {
        isCorked = true;
        res.cork();
        process.nextTick(() => {
          isCorked = false;
          res.uncork();
        });
      }
      // Respect backpressure: a slow agent then holds up only its own stream, whose generator
      // skips straight to the newest config instead of queueing every version in memory.
      if (!res.write(value)) await waitForDrain(res);
    }
  } catch {
    // The client went away mid-stream.
  }
  res.end();
}
