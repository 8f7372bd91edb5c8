/** Seconds in a duration like `90s`, `15m`, `1h`, `7d` (a bare number means seconds). */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. 90s, 15m, 1h, 7d)`);
  const unit = (match[2] ?? "s").toLowerCase();
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[unit as "s" | "m" | "h" | "d"];
  return Number(match[1]) * factor;
}
