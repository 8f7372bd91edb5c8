"use client";

import { useState } from "react";
import { Button } from "./button";

/**
 * Put `text` on the clipboard. `navigator.clipboard` exists only on https (and localhost): on a
 * plain-http controller fall back to the older copy command on a hidden text area.
 */
async function copyText(text: string): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // denied: try the fallback
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** Copies `text` to the clipboard and says so (or that it could not) for two seconds. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <Button
      size="sm"
      onClick={() => {
        void copyText(text).then((isCopied) => {
          setState(isCopied ? "copied" : "failed");
          setTimeout(() => setState("idle"), 2000);
        });
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
    </Button>
  );
}
