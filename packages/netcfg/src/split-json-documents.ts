// vtysh run with several `-c` show commands prints their JSON answers one after another, with
// nothing between them (and no newline after some): one process instead of one per command
// (each vtysh builds FRR's whole command tree first, ~30 ms of CPU). This splits that text back
// into one document per command, scanning for the end of each top-level object or array.

/**
 * The JSON documents (top-level objects or arrays) in `text`, in order, each as its own text.
 * A document starts at the start of a line (or right after the previous one), as vtysh prints
 * them; anything else between documents (a log line, even one with brackets in it) is skipped,
 * and braces inside strings do not count. An unfinished last document is returned as it is (its parse
 * then fails where it is used).
 */
export function splitJsonDocuments(text: string): string[] {
  const documents: string[] = [];
  let depth = 0;
  let start = -1;
  let isInString = false;
  let isAtLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (depth === 0 && !(isAtLineStart && (char === "{" || char === "["))) {
      if (char === "\n") isAtLineStart = true;
      else if (char !== " " && char !== "\t" && char !== "\r") isAtLineStart = false;
      continue;
    }
    if (isInString) {
      if (char === "\\") i++;
      else if (char === '"') isInString = false;
    } else if (char === '"') {
      isInString = true;
    } else if (char === "{" || char === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if ((char === "}" || char === "]") && depth > 0) {
      depth--;
      if (depth === 0) {
        documents.push(text.slice(start, i + 1));
        isAtLineStart = true;
      }
    }
  }
  if (depth > 0) documents.push(text.slice(start));
  return documents;
}
