// A free TCP port on 127.0.0.1 for servers the browser tests start (never a fixed one).
import { createServer } from "node:net";

/** Ask the kernel for a free loopback port (closed again before it is returned). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
