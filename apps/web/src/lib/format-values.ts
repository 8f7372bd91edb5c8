// Small formatters shared by every page; pure so they are unit-tested and render the same on
// server and client for a given `now`.
import { chooseBfdTimers, isSoftwareEmulated } from "@meshover/netcfg";

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago"; "never" for null. */
export function formatAgo(at: Date | string | null | undefined, now: number = Date.now()): string {
  if (at == null) return "never";
  const ms = now - new Date(at).getTime();
  if (!Number.isFinite(ms)) return "never";
  if (ms < 0) return "just now";
  return `${formatDuration(ms / 1000)} ago`;
}

/** A duration in seconds as the largest sensible unit: "45 s", "12 min", "3 h", "2 d". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 36) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** Bytes in binary units with one decimal: "0 B", "1.5 KiB", "3.2 GiB". */
export function formatBytes(bytes: number | bigint | null | undefined): string {
  if (bytes == null) return "—";
  let value = Number(bytes);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Milliseconds with a precision that suits the size: "0.42 ms", "12.3 ms", "140 ms". */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** A timestamp as local "YYYY-MM-DD HH:MM:SS" (24 h, no locale surprises in tests). */
export function formatTimestamp(at: Date | string | null | undefined): string {
  if (at == null) return "—";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The agent's `systemd-detect-virt --vm` fact and the BFD timers it gives the node: "kvm · BFD
 * 250 ms × 3", "qemu (software emulation) · BFD 1000 ms × 3"; "—" when unknown.
 */
export function formatMachine(virtualization: string | null | undefined): string {
  if (virtualization == null) return "—";
  const timers = chooseBfdTimers(virtualization);
  const name =
    virtualization === "none"
      ? "bare metal"
      : isSoftwareEmulated(virtualization)
        ? `${virtualization} (software emulation)`
        : virtualization;
  return `${name} · BFD ${timers.intervalMs} ms × ${timers.multiplier}`;
}
