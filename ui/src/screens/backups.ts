// Backups and restores: the About page's card (the last good backup and its age, the folder and
// recovery passphrase, Back up now with progress, Restore), the first-run screen's restore, and
// the recovery screen shown when the database cannot be opened. Every rule is checked in Rust.
import { listen } from "@tauri-apps/api/event";
import { backups, hasCode, session, type BackupProgress, type BackupStatus, type ErrorReport } from "../api";
import { card, el, errorText, field, form, formatTime, input } from "../dom";
import { count } from "../format";
import type { Screen } from "../main";

function age(hours: number | null): string {
  if (hours === null) return "";
  if (hours < 1) return "less than an hour ago";
  if (hours < 48) return `${count(hours, "hour")} ago`;
  return `${count(Math.floor(hours / 24), "day")} ago`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/// What the office should know first: when the last good backup was made, or that there is none.
function lastGood(status: BackupStatus): HTMLElement {
  const last = status.last_good;
  const summary = el("div", { id: "backup-last-good" });
  if (!last) {
    summary.append(el("p", { className: status.folder ? "error" : "muted" }, status.folder ? "No backup has been made yet." : "Backups are not set up on this computer: if its disk fails, its data is lost."));
  } else {
    const stale = (status.last_good_age_hours ?? 0) >= 48;
    summary.append(
      el("p", { className: stale ? "error" : "success" }, `Last good backup ${age(status.last_good_age_hours)} (${formatTime(last.made_at)}, ${last.reason}): ${count(last.people, "person", "people")}, ${megabytes(last.bytes)}.`),
      el("p", { className: "muted" }, last.path),
    );
  }
  if (status.last_failure) summary.append(el("p", { className: "error", id: "backup-failure" }, `The last backup failed (${formatTime(status.last_failure.at)}): ${status.last_failure.message}`));
  return summary;
}

/// The About page's card.
export async function backupsCard(screen: Screen): Promise<HTMLElement> {
  const status = await backups.status();
  const admin = screen.can("settings.manage");
  const body = card("Backups", lastGood(status));
  body.id = "backups";
  if (!admin) {
    body.append(el("p", { className: "muted" }, "An administrator chooses the backup folder and can back up or restore from this page."));
    return body;
  }
  body.append(
    el("p", { className: "muted" }, `Backed up daily, before every upgrade and before an update is installed. The last ${count(status.keep, "backup")} of this computer are kept${status.folder ? ` in ${status.folder}` : ""}.`),
    backUpNow(screen, status),
    setUpForm(status, screen),
    restoreForm(status, (file, passphrase) => backups.restore(file, passphrase)),
  );
  return body;
}

function backUpNow(screen: Screen, status: BackupStatus): HTMLElement {
  const button = el("button", { type: "button", id: "back-up-now" }, "Back up now");
  const feedback = el("div", { id: "backup-progress" });
  button.disabled = !status.folder || !status.passphrase_set;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const bar = el("span");
    const words = el("span", { className: "muted" }, "Starting…");
    feedback.replaceChildren(el("div", { className: "progress determinate" }, bar), words);
    const stop = await listen<BackupProgress>("backup-progress", ({ payload }) => {
      const share = payload.total_bytes ? Math.min(1, payload.done_bytes / payload.total_bytes) : 0;
      bar.style.width = `${Math.round(100 * share)}%`;
      words.textContent = payload.phase === "checking" ? "Checking the backup…" : `Copying: ${megabytes(payload.done_bytes)} of about ${megabytes(payload.total_bytes)}`;
    });
    try {
      const made = await backups.backUpNow();
      feedback.replaceChildren(el("p", { className: "success" }, `Backed up and checked: ${made.path}`));
      setTimeout(() => screen.refresh(), 1500);
    } catch (error) {
      feedback.replaceChildren(el("p", { className: "error" }, errorText(error)));
      button.disabled = false;
    } finally {
      stop();
    }
  });
  return el("div", { className: "actions" }, button, feedback);
}

function setUpForm(status: BackupStatus, screen: Screen): HTMLElement {
  const folder = input({ value: status.folder ?? "", placeholder: "for example /media/usb/church-backups or D:\\Backups", id: "backup-folder" });
  const passphrase = input({ type: "password", autocomplete: "new-password", id: "backup-passphrase" });
  const keep = input({ type: "number", min: "1", max: "365", value: String(status.keep), id: "backup-keep" });
  return form({ id: "backup-setup" }, [
    el("h3", {}, status.folder ? "Change where backups go" : "Set up backups"),
    field("Backup folder (a USB stick, a network drive or a synced folder)", "folder", folder),
    field(status.passphrase_set ? "New recovery passphrase (empty: keep the one set)" : "Recovery passphrase (12 or more characters; write it down, it is all a new computer needs)", "passphrase", passphrase),
    field("Backups to keep", "keep", keep),
    el("button", { type: "submit", className: "secondary" }, "Save"),
  ], async () => {
    await backups.setUp({ folder: folder.value, passphrase: passphrase.value || null, keep: Number(keep.value) || null });
    screen.refresh();
  });
}

/// Choose a backup file and give its passphrase; the backup is checked and described before
/// anything is replaced.
function restoreForm(status: BackupStatus, restore: (file: string, passphrase: string) => Promise<unknown>, inspect = true): HTMLElement {
  const latest = status.in_folder[0] && status.folder ? joinPath(status.folder, status.in_folder[0]) : "";
  const file = input({ value: latest, placeholder: "the .cctbackup file", id: "restore-file" });
  const passphrase = input({ type: "password", autocomplete: "off", id: "restore-passphrase" });
  const outcome = el("div", { id: "restore-outcome" });
  return form({ id: "restore-form" }, [
    el("h3", {}, "Restore a backup"),
    el("p", { className: "muted" }, "The backup replaces this computer's data. The data it replaces is kept aside in the same folder, never deleted. The app starts again on the restored data."),
    field("Backup file", "file", file),
    field("Its recovery passphrase", "passphrase", passphrase),
    el("button", { type: "submit", className: "secondary" }, "Restore…"),
    outcome,
  ], async () => {
    if (inspect) {
      const contents = await backups.inspect(file.value.trim(), passphrase.value);
      const when = contents.latest_change_at ? `last changed ${formatTime(contents.latest_change_at)}` : "empty";
      if (!confirm(`Restore this backup (${count(contents.people, "person", "people")}, ${when}) in place of this computer's data? The current data is kept aside.`)) return;
    }
    outcome.replaceChildren(el("p", { className: "muted" }, "Restoring…"));
    await restore(file.value.trim(), passphrase.value);
  });
}

function joinPath(folder: string, name: string): string {
  if (name.startsWith("/") || /^[A-Za-z]:\\/.test(name)) return name;
  const separator = folder.includes("\\") && !folder.includes("/") ? "\\" : "/";
  return folder.endsWith(separator) ? folder + name : folder + separator + name;
}

/// On a computer with no church yet: bring one in from a backup.
export function firstRunRestoreCard(): HTMLElement {
  const empty: BackupStatus = { folder: null, keep: 14, passphrase_set: false, last_good: null, last_good_age_hours: null, last_failure: null, in_folder: [] };
  const section = card("Restore a backup", el("p", { className: "muted" }, "Replacing a computer? Restore the old one's backup with its recovery passphrase."), restoreForm(empty, backups.restoreOnFirstRun, false));
  section.id = "first-run-restore";
  return section;
}

/// The database cannot be opened: say what happened, and offer what can be done.
export async function renderRecovery(app: HTMLElement, problem: ErrorReport, done: () => void) {
  const recoverable = hasCode(problem, "database_unreadable") || hasCode(problem, "database_key_missing");
  const status = await session.recoveryBackups().catch(() => null);
  const heading = hasCode(problem, "database_key_missing") ? "This computer no longer has the key to its data" : recoverable ? "The church's data on this computer is damaged" : "The church's data could not be opened";
  const screen = el("section", { className: "card", id: "recovery" }, el("h2", {}, heading), el("p", {}, problem.message));
  const latest = status?.in_folder[0] ?? null;
  const passphrase = input({ type: "password", autocomplete: "off", id: "recovery-passphrase" });
  const feedback = el("p", { className: "error", role: "alert", id: "recovery-feedback" });
  const busy = (running: boolean) => screen.querySelectorAll<HTMLButtonElement>("button").forEach((b) => (b.disabled = running));
  const attempt = async (work: () => Promise<unknown>) => {
    busy(true);
    feedback.textContent = "";
    try {
      await work();
      done();
    } catch (error) {
      feedback.textContent = errorText(error);
      busy(false);
    }
  };
  if (latest) {
    const restoreLatest = el("button", { type: "button", id: "restore-latest" }, "Restore the latest backup");
    restoreLatest.addEventListener("click", () => void attempt(() => session.restoreAtStart(null, passphrase.value)));
    const made = status?.last_good ? ` (made ${formatTime(status.last_good.made_at)}, ${count(status.last_good.people, "person", "people")})` : "";
    screen.append(el("h3", {}, "Restore the latest backup"), el("p", { className: "muted", id: "latest-backup" }, `${latest}${made}`), field("Recovery passphrase", "passphrase", passphrase), el("div", { className: "actions" }, restoreLatest));
  } else {
    screen.append(el("p", { className: "muted" }, "No backup is recorded on this computer. If you have one (on a USB stick, or from another computer of the church), choose it below."));
  }
  const file = input({ placeholder: "the .cctbackup file", id: "recovery-file" });
  const otherPassphrase = input({ type: "password", autocomplete: "off", id: "recovery-file-passphrase" });
  const restoreFile = el("button", { type: "button", id: "restore-file-at-start", className: "secondary" }, "Restore this file");
  restoreFile.addEventListener("click", () => void attempt(() => session.restoreAtStart(file.value, otherPassphrase.value)));
  screen.append(el("h3", {}, "Restore another backup"), field("Backup file", "file", file), field("Its recovery passphrase", "file_passphrase", otherPassphrase), el("div", { className: "actions" }, restoreFile));
  if (recoverable) {
    const afresh = el("button", { type: "button", id: "start-afresh", className: "secondary" }, "Start afresh");
    afresh.addEventListener("click", () => {
      if (!confirm("Start with an empty database? The unreadable file is moved aside, not deleted, so it can still be sent for repair.")) return;
      void attempt(() => session.startAfresh());
    });
    screen.append(el("h3", {}, "Start afresh"), el("p", { className: "muted" }, "Keeps the unreadable file aside and starts with no data (in a team, join it again to bring the church's data back)."), el("div", { className: "actions" }, afresh));
  }
  const retry = el("button", { type: "button", id: "retry-start", className: "secondary" }, "Try again");
  retry.addEventListener("click", () => void attempt(() => session.retryStart()));
  screen.append(el("div", { className: "actions" }, retry), feedback);
  app.replaceChildren(screen);
}
