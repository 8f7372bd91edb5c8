/** Join class names, dropping falsy ones (no dependency for five lines). */
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}
