// Shared plumbing of the tool-output parsers: JSON text → zod-validated value, with one typed
// error naming the tool when its output is not what we expect.
import type { z } from "zod";
import { NetcfgError } from "./netcfg-error";

/**
 * Parses `text` as JSON and validates it with `schema`. Throws NetcfgError INVALID_TOOL_OUTPUT
 * naming `tool` when the text is not JSON or not of the expected shape.
 */
export function parseToolJson<T extends z.ZodType>(
  tool: string,
  schema: T,
  text: string,
): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const head = text.trim().slice(0, 120);
    throw new NetcfgError("INVALID_TOOL_OUTPUT", `${tool} did not print JSON: "${head}"`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join(".")}: ${issue.message}` : "unexpected shape";
    throw new NetcfgError("INVALID_TOOL_OUTPUT", `${tool} printed unexpected JSON (${where})`);
  }
  return result.data;
}
