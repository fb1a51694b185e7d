// Team sync through the real app: a newly set-up office creates its church's team on a
// PostgreSQL hub and makes a join code; a second, empty computer joins with it from the
// first-run screen, opens on the sign-in screen, and the administrator signs in there with the
// password they chose at the office. The hub is a fresh database on the test server the test
// command starts (CCT_TEST_HUB_URL).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, test } from "node:test";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

const opened = [];
const PASSWORD = "the office's password";

after(async () => {
  for (const running of opened) await running.close();
});

/// A new hub database: its address, and its password.
function newHub() {
  const server = process.env.CCT_TEST_HUB_URL;
  assert.ok(server, "CCT_TEST_HUB_URL must name a PostgreSQL server (node ui/scripts/tasks.mjs test starts one)");
  const password = process.env.CCT_TEST_HUB_PASSWORD ?? "";
  const name = `cct_e2e_${process.pid}_${Date.now()}`;
  const made = spawnSync("psql", [server, "-v", "ON_ERROR_STOP=1", "-c", `CREATE DATABASE ${name}`], { env: { ...process.env, PGPASSWORD: password }, encoding: "utf8" });
  assert.equal(made.status, 0, `could not create the hub database: ${made.stderr}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { address: url.toString(), password };
}

test("an office creates a team and an empty computer joins it with a code", { timeout: 300_000 }, async () => {
  const hub = newHub();
  const office = await launchApp("team-office");
  opened.push(office);
  const app = office.app;
  // A real church (the demo never joins a team), set up with the administrator's password.
  await app.type('#set-up-office [name="first_name"]', "Pat");
  await app.type('#set-up-office [name="last_name"]', "Admin");
  await app.type('#set-up-office [name="email"]', "pat@example.org");
  await app.type('#set-up-office [name="password"]', PASSWORD);
  await app.type('#set-up-office [name="password_again"]', PASSWORD);
  await app.click('#set-up-office button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Pat Admin", timeout: 60_000 });

  await app.click('nav a[href="#/team"]');
  await app.type('#create-team [name="hub_address"]', "postgres://someone@db.example.org/church?sslmode=disable");
  await app.type('#create-team [name="church_name"]', "Grace Church");
  await app.click('#create-team button[type="submit"]');
  await app.waitFor('#create-team [data-error-for="hub_address"]', { text: "encrypted" });
  await app.type('#create-team [name="hub_address"]', hub.address);
  await app.type('#create-team [name="hub_password"]', hub.password);
  await app.click('#create-team button[type="submit"]');
  await app.waitFor("h2", { text: "This computer: Office", timeout: 120_000 });
  await app.waitFor("#team-unsent", { text: "0 changes" });
  await app.waitFor("#team-devices", { text: "this computer" });
  const shown = await app.text("#team-this-device");
  assert.ok(!shown.includes(hub.password), "the hub's password is never shown");

  await app.click('#make-join-code button[type="submit"]');
  const code = (await app.text("#join-code .join-code")).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await app.screenshot(shots, "team-join-code", "#make-join-code");

  const laptop = await launchApp("team-laptop");
  opened.push(laptop);
  const other = laptop.app;
  await other.waitFor("#join-team");
  await other.type('#join-team [name="hub_address"]', hub.address);
  await other.type('#join-team [name="join_code"]', code.toLowerCase());
  await other.type('#join-team [name="device_name"]', "Room 101 laptop");
  await other.screenshot(shots, "join-team", "#join-team");
  await other.click('#join-team button[type="submit"]');
  // Joined, it acts as nobody: whoever uses it signs in, with the password set at the office.
  await other.waitFor("#sign-in", { text: "Who is using this computer?", timeout: 120_000 });
  assert.equal(await other.execute("return document.querySelectorAll('#nav a').length"), 0, "nothing is open before sign-in");
  await other.type("#sign-in-email", "pat@example.org");
  await other.type("#sign-in-email-password", PASSWORD);
  await other.click('#sign-in-by-email button[type="submit"]');
  await other.waitFor("#signed-in-as", { text: "Pat Admin" });
  await other.click('nav a[href="#/team"]');
  await other.waitFor("#team-devices", { text: "Room 101 laptop" });

  // The office sees the new laptop in its list.
  await app.click('nav a[href="#/team"]');
  await app.waitFor("#team-devices", { text: "Room 101 laptop", timeout: 30_000 });
  await app.screenshot(shots, "team-devices", "#team-devices");

  // The hub compacts on its own schedule (hourly at most, once its log has grown); its owner
  // sets that to "now" here. The next sync of either computer (the laptop's background sync
  // may come first) makes the snapshot, and the office's Team screen shows it.
  await app.waitFor("#team-snapshot", { text: "No snapshot yet" });
  const policy = spawnSync("psql", [hub.address, "-v", "ON_ERROR_STOP=1", "-c", "UPDATE hub_compaction SET min_interval = '0 seconds', min_new_changes = 1"], { env: { ...process.env, PGPASSWORD: hub.password }, encoding: "utf8" });
  assert.equal(policy.status, 0, `could not set the hub's schedule: ${policy.stderr}`);
  await app.click("#team-sync-now");
  await app.waitFor("#team-snapshot", { text: "Latest snapshot", timeout: 60_000 });
  const history = await app.text("#team-history");
  assert.match(history, /made during (Office|Room 101 laptop)'s sync/);
  assert.match(history, /stands for [\d,]+ changes and keeps [\d,]+/);
  await app.screenshot(shots, "team-history", "#team-history");

  // Offline from each other, both computers enroll the same newcomer in the same offering:
  // every computer folds the two enrollments into one, and the office's Team screen lists it.
  const invoke = (session, command, args) =>
    session.executeAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ failed: e }));`,
      [command, args],
    );
  const course = await invoke(app, "create_record", { kind: "course", record: { name: "Newcomers' Lunch" } });
  const person = await invoke(app, "create_record", { kind: "people", record: { first_name: "Lydia", last_name: "Thyatira", status: "active" } });
  assert.ok(course.id && person.id, JSON.stringify({ course, person }));
  // A sync the window asks for, waited for to its end (while the background sync runs, the
  // command answers already_syncing: asked again).
  const sync = async (session) => {
    for (let tries = 0; tries < 60; tries++) {
      const report = await invoke(session, "sync_team_now", {});
      if (report?.failed?.code === "already_syncing") {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      assert.ok(!report?.failed, JSON.stringify(report));
      return;
    }
    assert.fail("the team never stopped syncing");
  };
  await sync(app);
  await sync(other);
  const here = await invoke(other, "get_record", { kind: "people", id: person.id });
  assert.equal(here.first_name, "Lydia", "the laptop holds the newcomer");
  const request = { people_id: person.id, course_id: course.id, offering_id: null, notes: null, override_reason: null };
  const [atOffice, atLaptop] = await Promise.all([invoke(app, "enroll", { request }), invoke(other, "enroll", { request })]);
  assert.ok(atOffice.id && atLaptop.id && atOffice.id !== atLaptop.id, "two enrollments, one on each computer");
  await sync(other);
  await sync(app);
  await app.click('nav a[href="#/people"]');
  await app.click('nav a[href="#/team"]');
  await app.waitFor("#team-folds", { text: "course enrollment", timeout: 30_000 });
  await app.screenshot(shots, "team-folds", "#team-folds");

  // The laptop's actions are in the office's audit log, found by the computer they were made on.
  await app.click('nav a[href="#/audit"]');
  await app.choose('[name="device_id"]', "Room 101 laptop");
  await app.waitFor("#audit-entries", { text: "on Room 101 laptop", timeout: 30_000 });
  const entries = await app.text("#audit-entries");
  assert.ok(!entries.includes("on this computer"), "only the laptop's rows are listed");
  await app.screenshot(shots, "audit-computer-filter");
});
