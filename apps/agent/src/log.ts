// JSON-lines logging (pino) to stdout.
import { pino, type Logger } from "pino";

/** The agent's logger type. */
export type TLogger = Logger;

/** A pino logger writing JSON lines to stdout (synchronously, so nothing is lost on exit). */
export function createLogger(level: string): TLogger {
  return pino({ level, base: { app: "meshover-agent" } }, pino.destination({ sync: true }));
}
