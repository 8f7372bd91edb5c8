"use client";
import { useEffect, useState } from "react";

/** The browser's clock, re-read every `intervalMs`, so relative ages move without refetching. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
