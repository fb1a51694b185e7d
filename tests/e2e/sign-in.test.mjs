// Signing in through the real app: an office is set up with its administrator's password, a
// staff member is invited from their page and sets their own password with the code, the window
// locks by itself after the idle time (4 seconds here), someone else signs in over the lock, and
// signing out leaves nobody acting: the window's own calls are refused in Rust.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

const IDLE_SECONDS = 4;
const ADMIN_PASSWORD = "the office's password";
const STAFF_PASSWORD = "sam's own password";

let running;
let app;

before(async () => {
  running = await launchApp("sign-in", { env: { CCT_IDLE_LOCK_SECONDS: String(IDLE_SECONDS) } });
  ({ app } = running);
});

after(async () => {
  await running?.close();
});

/// Calls a command from the window as its own scripts would; answers the error code, if any.
async function invokeCode(command, args = {}) {
  return app.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(() => done("allowed"), (e) => done(e.code ?? String(e)));`,
    [command, args],
  );
}

test("sign in, lock when idle, switch person, sign out", { timeout: 240_000 }, async () => {
  // Set up: the password twice, and a slip is caught beside its field.
  await app.type('#set-up-office [name="first_name"]', "Pat");
  await app.type('#set-up-office [name="last_name"]', "Admin");
  await app.type('#set-up-office [name="email"]', "pat@example.org");
  await app.type('#set-up-office [name="password"]', ADMIN_PASSWORD);
  await app.type('#set-up-office [name="password_again"]', "the office's passwort");
  await app.click('#set-up-office button[type="submit"]');
  await app.waitFor('#set-up-office [data-error-for="password_again"]', { text: "differ" });
  await app.type('#set-up-office [name="password_again"]', ADMIN_PASSWORD);
  await app.click('#set-up-office button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Pat Admin", timeout: 60_000 });

  // A staff member, invited from their page.
  const sam = await app.executeAsync(
    `const done = arguments[arguments.length - 1];
     const invoke = window.__TAURI_INTERNALS__.invoke;
     (async () => {
       const roles = await invoke("list_records", { kind: "role" });
       const staff = roles.items.find((r) => r.name === "staff");
       const sam = await invoke("create_record", { kind: "people", record: { first_name: "Sam", last_name: "Staff", email: "sam@example.org", status: "active" } });
       await invoke("create_record", { kind: "people_role", record: { people_id: sam.id, role_id: staff.id, assigned_date: "2026-11-01" } });
       return sam.id;
     })().then(done, (e) => done("failed: " + JSON.stringify(e)));`,
  );
  assert.match(sam, /^[0-9a-f-]{36}$/, sam);
  await app.execute("location.hash = arguments[0]", [`#/people/${sam}`]);
  await app.click("#make-invitation", { text: "Invite to sign in" });
  const code = (await app.text("#invitation-code-shown")).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await app.screenshot(shots, "sign-in-invitation", "#invitation");

  // Left alone, the window locks; Rust refuses the window's calls until someone signs in.
  await app.waitFor("#unlock", { text: "Pat Admin", timeout: (IDLE_SECONDS + 10) * 1000 });
  assert.equal(await app.execute("return document.querySelectorAll('#nav a').length"), 0, "nothing shows behind the lock");
  assert.equal(await invokeCode("list_records", { kind: "people" }), "session_locked");
  await app.screenshot(shots, "sign-in-locked");
  await app.type("#unlock-password", "not the password");
  await app.click('#unlock button[type="submit"]');
  await app.waitFor('#unlock [data-error-for="password"]', { text: "not right" });

  // Switch person: Sam sets his password with the code, over the lock.
  await app.click("#switch-person");
  await app.waitFor("#recent-people", { text: "Pat Admin" });
  await app.screenshot(shots, "sign-in");
  await app.type("#invitation-code", code.toLowerCase());
  await app.type("#new-password", STAFF_PASSWORD);
  await app.type("#new-password-again", STAFF_PASSWORD);
  await app.click('#accept-invitation button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Sam Staff" });
  await app.waitFor('nav a[href="#/people"]');
  assert.equal(await app.execute("return document.querySelectorAll('nav a[href=\"#/check-in\"]').length"), 0, "staff start no station");
  assert.equal(await invokeCode("set_office_rules", { rules: { absence_warning_threshold: 3, expiring_soon_days: 60, idle_lock_minutes: 240 } }), "permission_denied");

  // Signing out leaves nobody acting.
  await app.click("#sign-out");
  await app.waitFor("#recent-people", { text: "Sam Staff" });
  assert.equal(await invokeCode("list_records", { kind: "people" }), "signed_out");

  // Back in as the administrator, chosen from the recent list.
  await app.click("#recent-people .person-choice", { text: "Pat Admin" });
  await app.type("#sign-in-password", ADMIN_PASSWORD);
  await app.click('#sign-in-person button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Pat Admin" });
  assert.equal(await invokeCode("list_records", { kind: "people" }), "allowed");
});
