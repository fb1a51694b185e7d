// What the Rust side answers when a command fails, and where the window shows it. Pure: no
// DOM here, so every rule is unit-tested (errors.test.ts).
import type { ErrorCode, ErrorReport } from "./bindings";

/// Whether `value` is an ErrorReport from a command (or one the window made itself).
export function isErrorReport(value: unknown): value is ErrorReport {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.code === "string" && typeof candidate.message === "string";
}

/// Whether a failure is the one named: the window matches on codes, never on messages.
export function hasCode(error: unknown, code: ErrorCode): error is ErrorReport {
  return isErrorReport(error) && error.code === code;
}

/// The sentence a person reads for any failure, a command's or the window's own.
export function errorText(error: unknown): string {
  if (isErrorReport(error)) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/// The input a failure concerns, if it names one.
export function errorField(error: unknown): string | null {
  return isErrorReport(error) && typeof error.field === "string" && error.field !== "" ? error.field : null;
}

/// A failure the window finds before asking Rust (a box not ticked), shown the same way.
export function inputError(message: string, field: string | null = null): ErrorReport {
  return { code: "invalid_input", message, field };
}
