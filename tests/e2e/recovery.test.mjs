// A damaged database, in the real app: the office sets up backups on the About page and backs
// up now; the database file is then damaged while the app is closed. The next start shows the
// recovery screen instead of crashing, and restoring the latest backup with the recovery
// passphrase brings the office back, signed in as before, with the damaged file kept aside.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

const PASSWORD = "the office's password";
const PASSPHRASE = "rooted and built up in him";

const home = mkdtempSync(path.join(os.tmpdir(), "cct-e2e-recovery-"));
const database = path.join(home, "church.sqlite");
const backupFolder = mkdtempSync(path.join(os.tmpdir(), "cct-e2e-backups-"));
let running;

after(async () => {
  await running?.close();
});

test("a damaged database opens the recovery screen, and the latest backup brings the office back", { timeout: 300_000 }, async () => {
  running = await launchApp("recovery-before", { database });
  let { app } = running;
  await app.type('#set-up-office [name="first_name"]', "Pat");
  await app.type('#set-up-office [name="last_name"]', "Admin");
  await app.type('#set-up-office [name="email"]', "pat@example.org");
  await app.type('#set-up-office [name="password"]', PASSWORD);
  await app.type('#set-up-office [name="password_again"]', PASSWORD);
  await app.click('#set-up-office button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Pat Admin", timeout: 60_000 });

  // Backups, set up on the About page: a short passphrase is refused beside its field.
  await app.execute("location.hash = '#/updates'");
  await app.waitFor("#backups", { text: "not set up" });
  await app.type("#backup-folder", backupFolder);
  await app.type("#backup-passphrase", "too short");
  await app.click('#backup-setup button[type="submit"]');
  await app.waitFor('#backup-setup [data-error-for="passphrase"]', { text: "12 characters" });
  await app.type("#backup-passphrase", PASSPHRASE);
  await app.click('#backup-setup button[type="submit"]');
  await app.waitFor("#backup-last-good", { text: "No backup has been made yet" });
  await app.click("#back-up-now");
  await app.waitFor("#backup-progress", { text: "Backed up and checked", timeout: 60_000 });
  await app.waitFor("#backup-last-good", { text: "Last good backup less than an hour ago" });
  await app.screenshot(shots, "backups-about-page", "#backups");
  const made = readdirSync(backupFolder).filter((name) => name.endsWith(".cctbackup"));
  assert.equal(made.length, 1, `one backup in the folder: ${made}`);
  assert.ok(!readFileSync(path.join(backupFolder, made[0])).includes("pat@example.org"), "the backup is encrypted");
  await running.close();
  running = null;

  // The disk damages the database while the app is closed: its first pages become noise.
  const bytes = readFileSync(database);
  for (let i = 0; i < Math.min(bytes.length, 16_384); i++) bytes[i] = (i * 7919) % 251;
  writeFileSync(database, bytes);

  running = await launchApp("recovery-after", { database });
  ({ app } = running);
  await app.waitFor("#recovery", { text: "damaged", timeout: 60_000 });
  await app.waitFor("#latest-backup", { text: made[0] });
  await app.screenshot(shots, "recovery-screen");
  // A wrong passphrase is refused, and nothing is replaced.
  await app.type("#recovery-passphrase", "not the passphrase at all");
  await app.click("#restore-latest");
  await app.waitFor("#recovery-feedback", { text: "passphrase is wrong" });
  await app.type("#recovery-passphrase", PASSPHRASE);
  await app.click("#restore-latest");

  // The office is back: its administrator signs in with the password they had.
  await app.waitFor("body", { text: "Pat Admin", timeout: 60_000 });
  await app.screenshot(shots, "recovery-restored");
  const aside = readdirSync(home).filter((name) => name.startsWith("church.sqlite.before-restore-") && !name.endsWith("-wal") && !name.endsWith("-shm"));
  assert.equal(aside.length, 1, `the damaged file is kept aside: ${readdirSync(home)}`);
  const signedIn = await app.executeAsync(
    `const done = arguments[arguments.length - 1];
     const invoke = window.__TAURI_INTERNALS__.invoke;
     invoke("sign_in_screen").then((screen) => {
       const pat = screen.recent.find((p) => p.name === "Pat Admin");
       return invoke("sign_in", { who: { by: "person", people_id: pat.people_id }, password: arguments[0] });
     }).then((s) => done(s.name ?? JSON.stringify(s)), (e) => done("failed: " + JSON.stringify(e)));`,
    [PASSWORD],
  );
  assert.equal(signedIn, "Pat Admin");
});
