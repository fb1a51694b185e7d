// The administrator's path through the real app (tauri-driver → WebKitWebDriver → the built
// binary), on a fresh database: load the demo church, create a course with a prerequisite,
// enroll someone who lacks it (refused), override with a reason, record progress to
// completion, see the certification, and find all of it in the audit log.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

let running;
let app;
let dataDir;

before(async () => {
  running = await launchApp("admin");
  ({ app, dataDir } = running);
});

after(async () => {
  await running?.close();
});

const COURSE = "Hosting Newcomers";
const CERTIFICATION = "Newcomer Host";
const REASON = "Hosted the welcome table at her previous church for five years";

test("an administrator's day, from the demo church to the audit log", { timeout: 240_000 }, async () => {
  // First run: the demo church.
  await app.click("#load-demo", { timeout: 90_000 });
  await app.waitFor("#stats", { text: "300", timeout: 60_000 });
  await app.screenshot(shots, "dashboard");
  await app.type("#people-search", "mar");
  await app.waitFor("#people-results li a");
  await app.screenshot(shots, "search", "#people-search");

  // A new course that requires "Growing in Faith".
  await app.click('nav a[href="#/courses"]');
  await app.waitFor("#courses-table", { text: "Growing in Faith" });
  await app.screenshot(shots, "courses");
  await app.type('#new-course [name="name"]', COURSE);
  await app.type('#new-course [name="max_capacity"]', "12");
  await app.choose('#new-course [name="prerequisite_course_id"]', "Growing in Faith");
  await app.click('#new-course button[type="submit"]');
  await app.waitFor("#course-header h2", { text: COURSE });
  await app.waitFor("#prerequisites", { text: "Growing in Faith" });

  // Two required lessons.
  for (const lesson of ["Welcome at the door", "Following up during the week"]) {
    await app.click("#add-lesson summary");
    await app.type('#add-lesson [name="title"]', lesson);
    await app.click('#add-lesson button[type="submit"]');
    await app.waitFor("#content-outline", { text: lesson });
  }

  // A certification earned by completing it.
  await app.click('nav a[href="#/certifications"]');
  await app.click("#certification-definitions ~ details summary", { text: "New certification" });
  await app.type('#new-certification [name="name"]', CERTIFICATION);
  await app.type('#new-certification [name="validity_months"]', "24");
  await app.choose('#new-certification [name="course_id"]', COURSE);
  await app.click('#new-certification button[type="submit"]');
  await app.waitFor("#certification-definitions", { text: `Requires ${COURSE}` });

  // A newcomer, who has completed nothing.
  await app.click('nav a[href="#/people"]');
  await app.waitFor("#people-table tbody tr");
  await app.screenshot(shots, "people");
  await app.click("details.card summary", { text: "Add a person" });
  await app.type('#new-person [name="first_name"]', "Miriam");
  await app.type('#new-person [name="last_name"]', "Newcombe");
  await app.type('#new-person [name="email"]', "miriam@example.org");
  await app.click('#new-person button[type="submit"]');
  await app.waitFor("#person-header h2", { text: "Miriam Newcombe" });
  await app.click("details summary", { text: "Add to a household" });
  await app.type('#move-household [name="name"]', "Newcombe Household");
  await app.click('#move-household button[type="submit"]');
  await app.waitFor("section.card h2", { text: "Newcombe Household" });

  // Enrolling her is refused: she lacks the prerequisite.
  await app.click('nav a[href="#/courses"]');
  await app.click("#courses-table a", { text: COURSE });
  await app.type('#enroll-form [name="people_id-search"]', "Newcombe");
  await app.click("#enroll-form .picker-results button", { text: "Miriam Newcombe" });
  await app.click('#enroll-form button[type="submit"]');
  const warning = await app.text("#enroll-form .override-box .warning");
  assert.match(warning, /Growing in Faith/);
  assert.equal(await app.execute("return document.querySelectorAll('#enrollments tbody tr:not(.checklist)').length"), 0, "nobody was enrolled");
  await app.screenshot(shots, "enroll-override", "#enrollments-card");

  // The override, with its reason.
  await app.type('#enroll-form [name="override_reason"]', REASON);
  await app.click('#enroll-form button[type="submit"]', { text: "Enroll anyway" });
  await app.waitFor("#enrollments", { text: "Miriam Newcombe" });
  await app.waitFor("#enrollments .badge.override");

  // Progress to completion, lesson by lesson.
  for (const lesson of ["Welcome at the door", "Following up during the week"]) {
    await app.click("#enrollments button", { text: "Progress" });
    const box = await app.execute(
      `const label = [...document.querySelectorAll('#enrollments .checklist label')].find(l => l.textContent.includes(arguments[0]));
       return label ? label.querySelector('input').checked : null;`,
      [lesson],
    );
    assert.equal(box, false, `${lesson} starts unchecked`);
    await app.click("#enrollments .checklist label", { text: lesson });
    await app.waitFor("#enrollments", { text: lesson === "Welcome at the door" ? "50%" : "100%" });
  }
  await app.waitFor("#enrollments", { text: "Completed" });
  await app.screenshot(shots, "course", "#enrollments-card");

  // The certification she earned.
  await app.click('nav a[href="#/certifications"]');
  await app.click(".tabs button", { text: "Everyone" });
  const row = await app.waitFor("#standings tr", { text: "Miriam Newcombe" });
  const rowText = await app.cmd("GET", `/element/${row}/text`);
  assert.match(rowText, new RegExp(CERTIFICATION));
  assert.match(rowText, /CCT-\d{4}-[0-9A-F]{8}/);
  await app.screenshot(shots, "certifications");

  // All of it in the audit log, found from her page.
  await app.click('nav a[href="#/people"]');
  await app.type("#people-search", "Newcombe");
  await app.click("#people-table a", { text: "Miriam Newcombe" });
  await app.screenshot(shots, "person");
  await app.click("#person-header a.button", { text: "History" });
  await app.waitFor("#audit-entries", { text: `Reason: ${REASON}` });
  const audit = await app.text("#audit-entries");
  for (const expected of ["created course enrollment", "created content completion", "created certification progress", "created people"]) {
    assert.ok(audit.includes(expected), `the audit log shows "${expected}":\n${audit}`);
  }
  await app.screenshot(shots, "audit-log");
});

test("attendance counts toward a course's progress", { timeout: 90_000 }, async () => {
  await app.click('nav a[href="#/courses"]');
  await app.click("#courses-table a", { text: "Growing in Faith" });
  await app.waitFor("#course-header", { text: "attend 3 sessions to complete" });
  await app.waitFor("#enrollments", { text: "3 of 3 attended" });

  // The office asks for a fourth session: everyone's progress is worked out again.
  await app.click("#attendance-rules summary");
  await app.type('#attendance-rules [name="sessions_required"]', "4");
  await app.screenshot(shots, "attendance-rules", "#course-header");
  await app.click('#attendance-rules button[type="submit"]');
  await app.waitFor("#course-header", { text: "attend 4 sessions to complete" });
  await app.waitFor("#enrollments", { text: "3 of 4 attended" });

  // Today's session: the first person on its roster is marked present.
  await app.click("#sessions .session:last-child button", { text: "Attendance" });
  await app.waitFor("#sessions .session:last-child .roster tbody tr");
  const name = await app.execute("return document.querySelector('#sessions .session:last-child .roster tbody tr td').textContent.trim()");
  const standing = () =>
    app.execute(
      `const row = [...document.querySelectorAll('#enrollments tbody tr:not(.checklist)')].find(r => r.dataset.person === arguments[0]);
       return row ? { progress: row.children[2].textContent.trim(), attendance: row.children[3].textContent.trim() } : null;`,
      [name],
    );
  const before = await standing();
  const attendedBefore = Number(before.attendance.match(/^(\d+) of 4 attended/)[1]);
  await app.click("#sessions .session:last-child .roster tbody tr:first-child button", { text: "Present" });
  let after = before;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && after.attendance === before.attendance; ) {
    await new Promise((r) => setTimeout(r, 150));
    after = await standing();
  }
  assert.match(after.attendance, new RegExp(`^${attendedBefore + 1} of 4 attended`), `${name}'s attendance follows the mark`);
  assert.ok(parseInt(after.progress) > parseInt(before.progress), `${name}'s progress grew: ${before.progress} → ${after.progress}`);
  assert.equal(await app.execute("return !document.querySelector('#sessions .session:last-child .roster').hidden"), true, "the roster being marked stays open");
  await app.screenshot(shots, "attendance-progress", "#enrollments-card");
});

test("campuses, rooms, roles and the office's rules are listed, and can be changed", { timeout: 60_000 }, async () => {
  await app.click('nav a[href="#/organization"]');
  await app.waitFor("#campuses", { text: "North Campus" });
  await app.click("details summary", { text: "Add a campus" });
  await app.type('#new-campus [name="name"]', "East Campus");
  await app.click('#new-campus button[type="submit"]');
  await app.waitFor("#campuses", { text: "East Campus" });
  await app.waitFor("#roles", { text: "checkin_volunteer" });
  await app.screenshot(shots, "organization");

  // The office's own rules: when absences are flagged.
  await app.type('#office-rules [name="absence_warning_threshold"]', "0");
  await app.click('#office-rules button[type="submit"]');
  await app.waitFor('#office-rules [data-error-for="absence_warning_threshold"]', { text: "1 to 52" });
  await app.type('#office-rules [name="absence_warning_threshold"]', "2");
  await app.click('#office-rules button[type="submit"]');
  await app.waitFor("#office-rules", { text: "Saved: flag after 2 absences" });
  await app.screenshot(shots, "office-rules", "#office-rules");
});

test("attendance is taken from a session's roster", { timeout: 120_000 }, async () => {
  await app.click('nav a[href="#/courses"]');
  await app.click("#courses-table a", { text: "Foundations of Faith" });
  await app.click("#sessions button", { text: "Attendance" });
  await app.waitFor("#sessions .attendance tbody tr");
  await app.click("#sessions .attendance tbody tr:first-child button", { text: "Present" });
  await app.waitFor("#sessions .attendance tbody tr:first-child button.chosen", { text: "Present" });
  const arrived = await app.execute("return document.querySelector('#sessions .attendance tbody tr:first-child td:last-child').textContent");
  assert.ok(arrived.trim().length > 0, "the arrival time is recorded");
  await app.click("#sessions .attendance tbody tr:first-child button", { text: "Absent" });
  await app.waitFor("#sessions .attendance tbody tr:first-child button.chosen", { text: "Absent" });
  await app.screenshot(shots, "attendance", "#sessions");
});

test("people are imported from a CSV file after a preview with per-row errors", { timeout: 120_000 }, async () => {
  const file = path.join(dataDir, "new-members.csv");
  writeFileSync(file, "first_name,last_name,email,date_of_birth\nLydia,Thyatira,lydia@example.org,1985-04-12\nPriscilla,Pontus,priscilla@example.org,the spring of 1980\nAquila,Pontus,aquila@example.org,\n");
  await app.click('nav a[href="#/transfer"]');
  await app.choose("#import-kind", "People");
  const input = await app.waitFor("#import-file");
  await app.cmd("POST", `/element/${input}/value`, { text: file });
  await app.click("#import-preview");
  await app.waitFor("#import-summary", { text: "2 rows ready, 1 with problems" });
  await app.waitFor("#import-rows tr.row-error", { text: "date_of_birth" });
  await app.screenshot(shots, "import-preview");
  await app.click("#import-run");
  await app.waitFor("#import-status", { text: "Imported 2 rows" });
  await app.click('nav a[href="#/people"]');
  await app.type("#people-search", "Pontus");
  await app.waitFor("#people-table", { text: "Aquila Pontus" });
  const rows = await app.execute("return document.querySelectorAll('#people-table tbody tr').length");
  assert.equal(rows, 1, "Priscilla's row had an error and was skipped");
});
