// How values read on screen. Pure: no DOM here, so each is unit-tested (format.test.ts).

/// Empty text means "not given" (null) for optional fields.
export function text(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/// A number typed in a box, or null when the box is empty.
export function number(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}

/// A date (`2026-11-24`) or a timestamp as the office reads it. Dates alone are read at noon,
/// so no time zone moves them to the day before.
export function formatDate(value: string | null | undefined, locale?: string): string {
  if (!value) return "";
  const date = new Date(value.length === 10 ? `${value}T12:00:00` : value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric" });
}

export function formatTime(value: string | null | undefined, locale?: string): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

/// A percentage held between 0 and 100, for a progress bar's width.
export function clampPercentage(percentage: number): number {
  return Number.isFinite(percentage) ? Math.max(0, Math.min(100, percentage)) : 0;
}

/// "1 change", "2 changes": a count with its noun.
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : plural}`;
}
