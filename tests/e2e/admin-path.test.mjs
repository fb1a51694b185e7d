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
       return row ? { progress: row.children[3].textContent.trim(), attendance: row.children[4].textContent.trim() } : null;`,
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

test("an expired certification is renewed in the course's next offering", { timeout: 180_000 }, async () => {
  // The dashboard lists whose certification has expired, with the course's next offering.
  await app.click('nav a[href="#/"]');
  const due = await app.waitFor("#renewals tbody tr", { text: "Enroll in the next offering", timeout: 30_000 });
  const dueText = await app.cmd("GET", `/element/${due}/text`);
  assert.match(dueText, /Children's Ministry Worker/);
  assert.match(dueText, /Expired/);
  assert.match(dueText, /Child Safety Training — [A-Z][a-z]+ \d{4}, from/);
  const name = await app.execute("return document.querySelector('#renewals tbody tr button') && document.querySelector('#renewals tbody tr button').closest('tr').dataset.person");
  await app.screenshot(shots, "renewals-due", "#renewals-card");

  // Her page: the certification she earned two years ago, expired, and the offering she took.
  await app.click("#renewals a", { text: name });
  await app.waitFor("#certification-history", { text: "Children's Ministry Worker" });
  assert.equal(await app.execute("return document.querySelectorAll('#certification-history tbody tr').length"), 1, "earned once so far");
  await app.click('nav a[href="#/"]');

  // One click enrolls her in the next offering; the list says so.
  await app.execute(
    `const row = [...document.querySelectorAll('#renewals tbody tr')].find(r => r.dataset.person === arguments[0]);
     row.querySelector('button').click();`,
    [name],
  );
  const enrolled = await app.waitFor("#renewals tbody tr .badge", { text: "Enrolled:" });
  const nextTerm = (await app.cmd("GET", `/element/${enrolled}/text`)).replace("Enrolled: ", "").trim();

  // On the course's page: its offerings, past, running and upcoming, and her enrollment in
  // the upcoming one.
  await app.click('nav a[href="#/courses"]');
  await app.click("#courses-table a", { text: "Child Safety Training" });
  await app.waitFor("#offerings", { text: "Upcoming" });
  await app.waitFor("#offerings", { text: "Past" });
  // The next offering's seats, changed: none at all is refused beside the field.
  const editor = `tr.offering-editor[data-offering="${nextTerm}"]`;
  await app.click(`#offerings tr[data-offering="${nextTerm}"] button`, { text: "Edit" });
  await app.type(`${editor} [name="max_capacity"]`, "0");
  await app.click(`${editor} .offering-form button[type="submit"]`);
  await app.waitFor(`${editor} [data-error-for="max_capacity"]`, { text: "at least 1" });
  await app.type(`${editor} [name="max_capacity"]`, "24");
  await app.click(`${editor} .offering-form button[type="submit"]`);
  await app.waitFor(`#offerings tr[data-offering="${nextTerm}"]`, { text: "of 24" });
  await app.screenshot(shots, "offerings", "#offerings-card");
  // Cancelling it is refused while she is enrolled in it, and the refusal says why.
  await app.click(`#offerings tr[data-offering="${nextTerm}"] button`, { text: "Edit" });
  await app.click(`${editor} .offering-cancel button`);
  await app.waitFor(`${editor} .offering-cancel .form-error`, { text: "1 person is enrolled" });
  await app.screenshot(shots, "offering-cancel-refused", editor);
  // Her latest enrollment: the one of two years ago is listed too, completed.
  const row = () => `[...document.querySelectorAll('#enrollments tbody tr:not(.checklist)')].filter(r => r.dataset.person === arguments[0]).pop()`;
  assert.equal(await app.execute(`return [...document.querySelectorAll('#enrollments tbody tr:not(.checklist)')].filter(r => r.dataset.person === arguments[0]).length`, [name]), 2, "both her enrollments are kept");
  const offering = await app.execute(`return ${row()}.children[1].textContent.trim()`, [name]);
  assert.equal(offering, nextTerm, "she is enrolled in the next offering");

  // She completes it, lesson by lesson; each step shows in her progress.
  const progress = () => app.execute(`const r = ${row()}; return r ? r.children[3].textContent.trim() : ""`, [name]);
  for (const lesson of ["Lesson 1.1", "Lesson 1.2", "Lesson 2.1", "Lesson 2.2"]) {
    const before = await progress();
    await app.execute(
      `const r = ${row()};
       if (r.nextElementSibling.hidden) r.querySelector('button').click();
       const label = [...r.nextElementSibling.querySelectorAll('label')].find(l => l.textContent.includes(arguments[1]));
       label.querySelector('input').click();`,
      [name, lesson],
    );
    let now = before;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && now === before; ) {
      await new Promise((r) => setTimeout(r, 150));
      now = await progress();
    }
    assert.notEqual(now, before, `${lesson} moved her progress`);
  }
  assert.match(await progress(), /100%/);
  await app.waitFor("#enrollments", { text: "Completed" });
  await app.screenshot(shots, "renewal-completed", "#enrollments-card");

  // Her certification is current again, and both earnings are in its history.
  await app.click("#enrollments a", { text: name });
  await app.waitFor("#certification-history tbody tr.latest", { text: "renewal" });
  assert.equal(await app.execute("return document.querySelectorAll('#certification-history tbody tr').length"), 2, "both records are kept");
  await app.screenshot(shots, "certification-history", "#certification-history-card");
  await app.click('nav a[href="#/certifications"]');
  await app.click(".tabs button", { text: "Everyone" });
  const standing = await app.waitFor("#standings tr", { text: name });
  const standingText = await app.cmd("GET", `/element/${standing}/text`);
  assert.match(standingText, /current/, `${name} is current again: ${standingText}`);
  const stillDue = await app.execute("return [...document.querySelectorAll('#renewals tbody tr')].some(r => r.dataset.person === arguments[0])", [name]);
  assert.equal(stillDue, false, "she is no longer due");
});

test("a graded course's final assessment, failed, ends the enrollment as not passed", { timeout: 120_000 }, async () => {
  await app.click('nav a[href="#/courses"]');
  await app.type('#new-course [name="name"]', "Welcome Team Training");
  await app.click('#new-course button[type="submit"]');
  await app.waitFor("#course-header h2", { text: "Welcome Team Training" });
  await app.waitFor("#assessments-card");
  // Pass/fail, with a pass mark out of range first.
  await app.click("#assessments-card summary", { text: "How it is graded" });
  await app.choose('#grading-form [name="grading"]', "Pass/fail against a pass mark");
  await app.type('#grading-form [name="pass_mark"]', "120");
  await app.click('#grading-form button[type="submit"]');
  await app.waitFor('#grading-form [data-error-for="pass_mark"]', { text: "between 0 and 100" });
  await app.type('#grading-form [name="pass_mark"]', "80");
  await app.click('#grading-form button[type="submit"]');
  await app.waitFor("#grading", { text: "the final must reach 80" });
  await app.click("#assessments-card summary", { text: "Add an assessment" });
  await app.type('#new-assessment [name="title"]', "Leading a group: final");
  await app.click('#new-assessment [name="is_final"]');
  await app.click('#new-assessment button[type="submit"]');
  await app.waitFor("#assessments", { text: "pass at 80" });

  // Someone enrolled, who scores 65 on the final, their only attempt.
  await app.type('#enroll-form [name="people_id-search"]', "a");
  await app.click("#enroll-form .picker-results button");
  await app.click('#enroll-form button[type="submit"]');
  const enrolled = await app.waitFor("#enrollments tbody tr:not(.checklist)");
  const name = await app.execute(`return document.querySelector('#enrollments tbody tr:not(.checklist)').dataset.person`);
  assert.ok(enrolled && name);
  await app.click("#assessments-card summary", { text: "Record a score" });
  await app.choose('#record-score [name="course_enrollment_id"]', name);
  await app.type('#record-score [name="score"]', "65");
  await app.click('#record-score button[type="submit"]');
  await app.waitFor("#enrollments", { text: "Not passed" });
  await app.screenshot(shots, "grading", "#assessments-card");
});
