// Keystroke-to-screen timings, for `node ui/scripts/tasks.mjs bench-window`, which turns them on
// (window.cctTiming = true) and reads them as performance measures over WebDriver. Off, as in
// normal use, nothing is recorded.

declare global {
  interface Window {
    cctTiming?: boolean;
  }
}

let next = 0;

/// Marks a keystroke of `name`; call what it returns once its results are in the DOM. Two
/// measures follow: `<name>:dom` then, once the browser has painted them, `<name>:frame`.
export function keystroke(name: string): () => void {
  if (!window.cctTiming) return () => {};
  const start = `${name}:${++next}`;
  performance.mark(start);
  return () => {
    performance.measure(`${name}:dom`, start);
    // A frame callback runs just before the paint; the task after it, just after.
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.measure(`${name}:frame`, start);
        performance.clearMarks(start);
      }),
    );
  };
}

/// The first screen is on show (kept whether timing is on or not: one mark per launch).
export function firstScreen(): void {
  if (performance.getEntriesByName("first-screen").length === 0) performance.mark("first-screen");
}
