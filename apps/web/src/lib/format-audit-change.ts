// An audit event's recorded change as readable lines instead of raw JSON: "{from, to}" becomes
// "a → b", lists are joined, nested objects flattened one level, long values shortened. Pure,
// so the rendering is unit-tested.

/** One line of a rendered change. */
export type TChangeLine = { label: string; value: string };

const MAX_VALUE = 120;

function shorten(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function formatValue(value: unknown): string {
  if (value == null || value === "") return "—";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(formatValue).join(", ");
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    // A prefix row ({cidr, ...}) reads as its CIDR.
    if (typeof record.cidr === "string") return record.cidr;
    return Object.entries(record)
      .map(([k, v]) => `${k} ${formatValue(v)}`)
      .join(", ");
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "bigint" ? value.toString() : "?";
}

/** "publicKey" → "public key". */
function humanise(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The lines to show for `change` (empty for none). */
export function formatAuditChange(change: unknown): TChangeLine[] {
  if (change == null) return [];
  if (typeof change !== "object" || Array.isArray(change))
    return [{ label: "change", value: shorten(formatValue(change)) }];
  const record = change as Record<string, unknown>;
  if ("from" in record && "to" in record) {
    const rest = Object.entries(record).filter(([k]) => k !== "from" && k !== "to");
    return [
      {
        label: "change",
        value: shorten(`${formatValue(record.from)} → ${formatValue(record.to)}`),
      },
      ...rest.map(([k, v]) => ({ label: humanise(k), value: shorten(formatValue(v)) })),
    ];
  }
  return Object.entries(record).map(([k, v]) => ({
    label: humanise(k),
    value: shorten(formatValue(v)),
  }));
}
