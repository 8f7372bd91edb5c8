// zod without its compiled fast path. A schema parses a handful of documents per change, and
// the fast path (code generated at schema construction, run through eval, then compiled by V8)
// cost every agent start more CPU than it saved. Imported first by the entry point: a schema
// reads the setting when it is built.
import { z } from "zod";

z.config({ jitless: true });
