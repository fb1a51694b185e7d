// The idle lock, as the window sees it: after the office's idle time without a key, a click or
// a touch, the window locks (Rust locks the session too, and refuses commands until someone
// signs in again). Use between commands tells Rust someone is still here, at most once a minute
// (more often when the idle time is short).
import { session } from "./api";

const ACTIVITY = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;
/// How often, at most, use between commands is reported to Rust.
const REPORT_AT_MOST_EVERY_MS = 60_000;

let stop: (() => void) | null = null;

/// Watches for use; calls `onLock` once the window has been idle for `idleSeconds`.
export function watchIdle(idleSeconds: number, onLock: () => void): void {
  stopWatchingIdle();
  let lastUse = Date.now();
  let lastReport = lastUse;
  // Well within the idle time, so Rust never locks someone who is typing a long form.
  const reportEvery = Math.min(REPORT_AT_MOST_EVERY_MS, idleSeconds * 400);
  const used = () => {
    lastUse = Date.now();
    if (lastUse - lastReport >= reportEvery) {
      lastReport = lastUse;
      void session.stillHere().catch(() => undefined);
    }
  };
  const timer = window.setInterval(() => {
    if (Date.now() - lastUse < idleSeconds * 1000) return;
    stopWatchingIdle();
    void session
      .lock()
      .catch(() => undefined)
      .then(onLock);
  }, 1000);
  ACTIVITY.forEach((name) => window.addEventListener(name, used, { passive: true }));
  stop = () => {
    window.clearInterval(timer);
    ACTIVITY.forEach((name) => window.removeEventListener(name, used));
  };
}

export function stopWatchingIdle(): void {
  stop?.();
  stop = null;
}
