// Courses: the list, a new course, and one course's page (prerequisites, content by module,
// enrollments with the override and progress, course roles, sessions and attendance).
import { api, hasCode, office, records, type AttendanceStatus, type ClassSession, type CourseDetail, type CourseRoleType, type EnrollmentLine } from "../api";
import { card, el, errorText, field, form, formatDate, formatTime, input, number, progressBar, select, showError, text } from "../dom";
import { inputError } from "../errors";
import type { Screen } from "../main";
import { personPicker } from "../person-picker";
import { seats } from "./home";
import { assessmentsCard } from "./assessments";
import { offeringName, offeringSelect, offeringsCard } from "./offerings";

export async function renderCourses(view: HTMLElement, screen: Screen) {
  const courses = await api.listCourses();
  const table = el(
    "table",
    { id: "courses-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Course"), el("th", {}, "Seats"), el("th", {}, "Weeks"))),
    el("tbody", {}, ...courses.map((c) => el("tr", {}, el("td", {}, el("a", { href: `#/courses/${c.id}` }, c.name)), el("td", {}, seats(c.current_registrations, c.max_capacity)), el("td", {}, c.duration_weeks?.toString() ?? "")))),
  );
  view.replaceChildren(card("Courses", courses.length ? table : el("p", { className: "muted" }, "No courses yet.")));
  if (!screen.can("courses.write")) return;

  const name = input();
  const description = el("textarea", { rows: 2 });
  const capacity = input({ type: "number", min: "0", placeholder: "No limit" });
  const weeks = input({ type: "number", min: "0" });
  const sessionsRequired = input({ type: "number", min: "0", placeholder: "None" });
  const prerequisite = select([{ value: "", label: "None" }, ...courses.map((c) => ({ value: c.id, label: c.name }))]);
  view.append(
    form(
      { id: "new-course", className: "card" },
      [
        el("h2", {}, "New course"),
        field("Name", "name", name),
        field("Description", "description", description),
        el("div", { className: "row" }, field("Seats", "max_capacity", capacity), field("Weeks", "duration_weeks", weeks), field("Sessions to attend", "sessions_required", sessionsRequired)),
        field("Requires (prerequisite)", "prerequisite_course_id", prerequisite),
        el("button", { type: "submit" }, "Create course"),
      ],
      async () => {
        const course = await records.create("course", { name: name.value, description: text(description.value), max_capacity: number(capacity.value), duration_weeks: number(weeks.value), sessions_required: number(sessionsRequired.value) });
        if (prerequisite.value) await office.addPrerequisite(course.id, prerequisite.value);
        screen.go(`#/courses/${course.id}`);
      },
    ),
  );
}

export async function renderCourse(view: HTMLElement, screen: Screen, courseId: string) {
  const detail = await office.courseDetail(courseId);
  const { course } = detail;
  const header = el(
    "section",
    { className: "card", id: "course-header" },
    el("p", { className: "crumbs no-print" }, el("a", { href: "#/courses" }, "Courses"), " › "),
    el("h2", {}, course.name),
    course.description ? el("p", {}, course.description) : null,
    el("p", { className: "muted" }, [seats(course.current_registrations, course.max_capacity), course.duration_weeks ? `${course.duration_weeks} weeks` : null, course.sessions_required ? `attend ${plural(course.sessions_required, "session")} to complete` : null].filter(Boolean).join(" · ")),
    el("div", { className: "actions no-print" }, printButton("Print class roster", () => printRoster(detail)), screen.can("audit.read") ? el("a", { className: "button secondary", href: `#/audit?table=course&record=${course.id}` }, "History") : null),
  );
  if (screen.can("courses.write")) header.append(attendanceRulesForm(detail, screen));
  view.replaceChildren(header, await offeringsCard(detail, screen), prerequisitesCard(detail, screen), contentCard(detail, screen), await assessmentsCard(detail, screen));
  if (screen.can("enrollments.read")) view.append(enrollmentsCard(detail, screen), rolesCard(detail, screen));
  view.append(sessionsCard(detail, screen));
}

/// What attendance counts for in this course: the sessions that complete it and the absences
/// that flag an enrollment for follow-up.
function attendanceRulesForm(detail: CourseDetail, screen: Screen): HTMLElement {
  const { course } = detail;
  const sessionsRequired = input({ type: "number", min: "0", placeholder: "None", value: course.sessions_required?.toString() ?? "" });
  const threshold = input({ type: "number", min: "0", placeholder: "Office default", value: course.absence_warning_threshold?.toString() ?? "" });
  return el(
    "details",
    { id: "attendance-rules", className: "no-print" },
    el("summary", {}, "Attendance and completion"),
    el("p", { className: "muted" }, "Each session a person must attend is a step of progress beside the required lessons; attending them all and finishing the lessons completes the course."),
    form({}, [el("div", { className: "row" }, field("Sessions to attend", "sessions_required", sessionsRequired), field("Flag after absences", "absence_warning_threshold", threshold)), el("button", { type: "submit" }, "Save")], async () => {
      await records.update("course", { ...course, sessions_required: number(sessionsRequired.value), absence_warning_threshold: number(threshold.value) });
      screen.refresh();
    }),
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function prerequisitesCard(detail: CourseDetail, screen: Screen): HTMLElement {
  const list = el(
    "ul",
    { className: "list", id: "prerequisites" },
    ...detail.prerequisites.map((p) => el("li", {}, el("a", { href: `#/courses/${p.id}` }, p.name))),
  );
  if (detail.prerequisites.length === 0) list.append(el("li", { className: "muted" }, "None: anyone may enroll."));
  const section = card("Prerequisites", el("p", { className: "muted" }, "Courses a person must complete before enrolling. An administrator may override, with a reason that is kept."), list);
  if (!screen.can("courses.write")) return section;
  void api.listCourses().then((courses) => {
    const choice = select(courses.filter((c) => c.id !== detail.course.id && !detail.prerequisites.some((p) => p.id === c.id)).map((c) => ({ value: c.id, label: c.name })));
    section.append(
      form({ className: "inline" }, [field("Add a prerequisite", "prerequisite_course_id", choice), el("button", { type: "submit", className: "secondary" }, "Add")], async () => {
        await office.addPrerequisite(detail.course.id, choice.value);
        screen.refresh();
      }),
    );
  });
  return section;
}

function contentCard(detail: CourseDetail, screen: Screen): HTMLElement {
  const typeName = new Map(detail.content_types.map((t) => [t.id, t.name]));
  const lessonItem = (c: CourseDetail["unassigned_content"][number]) =>
    el("li", {}, el("span", {}, `${c.order_sequence}. ${c.title}`), el("span", { className: "muted" }, [typeName.get(c.content_type_id), c.duration_minutes ? `${c.duration_minutes} min` : null, c.is_required ? "required" : "optional"].filter(Boolean).join(" · ")));
  const outline = el("div", { id: "content-outline" });
  for (const { module, lessons } of detail.modules) {
    outline.append(el("h3", {}, `${module.order_sequence}. ${module.title}`), el("ul", { className: "list" }, ...lessons.map(lessonItem)));
  }
  if (detail.unassigned_content.length) {
    if (detail.modules.length) outline.append(el("h3", {}, "Not in a module"));
    outline.append(el("ul", { className: "list" }, ...detail.unassigned_content.map(lessonItem)));
  }
  if (!outline.childElementCount) outline.append(el("p", { className: "muted" }, "No content yet. Progress counts the required lessons completed."));
  const section = card("Content", outline);
  if (!screen.can("courses.write")) return section;

  const lessonCount = detail.modules.reduce((n, m) => n + m.lessons.length, detail.unassigned_content.length);
  const title = input();
  const moduleChoice = select([{ value: "", label: "No module" }, ...detail.modules.map((m) => ({ value: m.module.id, label: m.module.title }))]);
  const type = select(detail.content_types.map((t) => ({ value: t.id, label: t.name })));
  const minutes = input({ type: "number", min: "0" });
  const link = input({ placeholder: "File path or web address (optional)" });
  const required = el("input", { type: "checkbox", checked: true });
  const moduleTitle = input();
  section.append(
    el(
      "details",
      { id: "add-lesson" },
      el("summary", {}, "Add a lesson"),
      form({}, [field("Title", "title", title), el("div", { className: "row" }, field("Module", "module_id", moduleChoice), field("Type", "content_type_id", type), field("Minutes", "duration_minutes", minutes)), field("Where it is", "file_path_or_url", link), el("label", { className: "check" }, required, " Required for completion"), el("button", { type: "submit" }, "Add lesson")], async () => {
        await records.create("content", {
          course_id: detail.course.id,
          module_id: moduleChoice.value || null,
          title: title.value,
          content_type_id: type.value,
          order_sequence: lessonCount + 1,
          duration_minutes: number(minutes.value),
          file_path_or_url: text(link.value),
          is_required: required.checked,
        });
        screen.refresh();
      }),
    ),
    el(
      "details",
      {},
      el("summary", {}, "Add a module"),
      form({}, [field("Module title", "title", moduleTitle), el("button", { type: "submit" }, "Add module")], async () => {
        await records.create("course_module", { course_id: detail.course.id, title: moduleTitle.value, order_sequence: detail.modules.length + 1 });
        screen.refresh();
      }),
    ),
  );
  return section;
}

function enrollmentsCard(detail: CourseDetail, screen: Screen): HTMLElement {
  const lessons = [...detail.modules.flatMap((m) => m.lessons), ...detail.unassigned_content];
  const active = detail.enrollments.filter((e) => e.enrollment.status !== "dropped");
  const rows = active.map((line) => enrollmentRow(line, offeringName(detail, line.enrollment.offering_id), lessons, detail.course.sessions_required, screen));
  const table = el(
    "table",
    { id: "enrollments" },
    el("thead", {}, el("tr", {}, el("th", {}, "Person"), el("th", {}, "Offering"), el("th", {}, "Status"), el("th", {}, "Progress"), el("th", {}, "Attendance"), el("th", { className: "no-print" }, ""))),
    el("tbody", {}, ...rows.flat()),
  );
  const waitlisted = active.filter((e) => e.enrollment.registration_status === "waitlisted").length;
  const section = card(
    "Enrollments",
    el("p", { className: "muted" }, `${active.length} enrolled${waitlisted ? `, ${waitlisted} on the waitlist (first come, first served when a seat opens)` : ""}.`),
    active.length ? table : el("p", { className: "muted" }, "No one is enrolled yet."),
  );
  section.id = "enrollments-card";
  if (screen.can("enrollments.write")) section.append(enrollForm(detail, screen));
  return section;
}

function attendanceSummary(line: EnrollmentLine, sessionsRequired: number | null): string {
  const attended = sessionsRequired ? `${line.sessions_attended} of ${sessionsRequired} attended` : `${line.sessions_attended} attended`;
  return `${attended} · ${line.absences} absent`;
}

function enrollmentRow(line: EnrollmentLine, offering: string, lessons: CourseDetail["unassigned_content"], sessionsRequired: number | null, screen: Screen): HTMLElement[] {
  const { enrollment } = line;
  const status = el("td", {}, statusLabel(enrollment.status));
  if (enrollment.registration_status === "waitlisted") status.append(el("span", { className: "badge" }, "waitlist"));
  if (enrollment.grade !== null) status.append(el("span", { className: "muted" }, ` · grade ${enrollment.grade}%`));
  if (enrollment.dependency_override) status.append(el("span", { className: "badge override", title: enrollment.dependency_override_reason ?? "" }, "override"));
  const actions = el("td", { className: "no-print actions-cell" });
  const row = el(
    "tr",
    {},
    el("td", {}, el("a", { href: `#/people/${enrollment.people_id}` }, line.person_name)),
    el("td", {}, offering),
    status,
    el("td", {}, progressBar(enrollment.progress_percentage), ` ${Math.round(enrollment.progress_percentage)}%`),
    el("td", { className: line.absence_warning ? "absence-warning" : "", title: line.absence_warning ? "Absences reached the course's warning threshold" : "" }, attendanceSummary(line, sessionsRequired), line.absence_warning ? el("span", { className: "badge override" }, "follow up") : null),
    actions,
  );
  row.dataset.person = line.person_name;
  const checklist = el("tr", { className: "checklist no-print", hidden: true });
  if (screen.can("enrollments.write") && enrollment.status !== "not_passed") {
    const done = new Set(line.completed_content_ids);
    const toggle = el("button", { type: "button", className: "secondary small" }, "Progress");
    toggle.addEventListener("click", () => (checklist.hidden = !checklist.hidden));
    const drop = el("button", { type: "button", className: "secondary small" }, "Drop");
    drop.addEventListener("click", async () => {
      if (!confirm(`Drop ${line.person_name} from this course? The longest-waiting person on the waitlist takes the seat.`)) return;
      try {
        await office.dropEnrollment(enrollment.id);
        screen.refresh();
      } catch (error) {
        alert(errorText(error));
      }
    });
    actions.append(toggle, drop);
    const problems = el("p", { className: "error" });
    const items = lessons.map((lesson) => {
      const box = el("input", { type: "checkbox", checked: done.has(lesson.id) });
      box.addEventListener("change", async () => {
        box.disabled = true;
        try {
          if (box.checked) await office.completeContent({ course_enrollment_id: enrollment.id, content_id: lesson.id });
          else await office.undoCompletion(enrollment.id, lesson.id);
          screen.refresh();
        } catch (error) {
          box.checked = !box.checked;
          box.disabled = false;
          problems.textContent = errorText(error);
        }
      });
      return el("label", { className: "check" }, box, ` ${lesson.title}${lesson.is_required ? "" : " (optional)"}`);
    });
    checklist.append(el("td", { colSpan: 6 }, items.length ? el("div", { className: "lessons" }, ...items) : el("span", { className: "muted" }, "This course has no lessons to complete yet."), problems));
  }
  return [row, checklist];
}

function statusLabel(status: string): string {
  return { enrolled: "Enrolled", in_progress: "In progress", completed: "Completed", dropped: "Dropped", not_passed: "Not passed" }[status] ?? status;
}

/// Enrolling: the prerequisite check runs in Rust; when it refuses, someone allowed to override
/// may enroll anyway with a reason, which is recorded on the enrollment and in the audit log.
function enrollForm(detail: CourseDetail, screen: Screen): HTMLElement {
  const picker = personPicker("people_id", "Person");
  const reason = el("textarea", { rows: 2, placeholder: "Why this person may skip the prerequisite" });
  const overrideBox = el("div", { className: "override-box", hidden: true }, el("p", { className: "warning" }), field("Reason for the override", "override_reason", reason));
  const submit = el("button", { type: "submit" }, "Enroll");
  const offering = offeringSelect(detail, "The next offering");
  const node = form({ id: "enroll-form", className: "subform" }, [el("h3", {}, "Enroll someone"), picker.element, field("Offering", "offering_id", offering), overrideBox, submit], async (f) => {
    const people_id = picker.value();
    if (!people_id) {
      showError(f, inputError("Choose a person from the list first.", "people_id"));
      return;
    }
    try {
      await office.enroll({ people_id, course_id: detail.course.id, offering_id: offering.value || null, override_reason: overrideBox.hidden ? null : reason.value });
      screen.refresh();
    } catch (error) {
      if (hasCode(error, "prerequisites_not_met")) {
        if (screen.can("enrollments.override_prerequisites")) {
          overrideBox.hidden = false;
          overrideBox.querySelector(".warning")!.textContent = `${sentence(error.message)} You may enroll them anyway with a reason; it is kept with the enrollment and in the audit log.`;
          submit.textContent = "Enroll anyway";
          reason.focus();
          return;
        }
      }
      throw error;
    }
  });
  return node;
}

function rolesCard(detail: CourseDetail, screen: Screen): HTMLElement {
  const labels: Record<CourseRoleType, string> = { teacher: "Teacher", assistant: "Assistant", student: "Student", observer: "Observer" };
  const list = el("ul", { className: "list", id: "course-roles" }, ...detail.course_roles.map((r) => el("li", {}, el("a", { href: `#/people/${r.role.people_id}` }, r.person_name), el("span", { className: "muted" }, `${labels[r.role.role_type]} · ${offeringName(detail, r.role.offering_id)}`))));
  if (!detail.course_roles.length) list.append(el("li", { className: "muted" }, "No teachers or helpers assigned."));
  const section = card("Teachers and helpers", list);
  if (!screen.can("enrollments.write")) return section;
  const picker = personPicker("people_id", "Person");
  const role = select(Object.entries(labels).map(([value, label]) => ({ value, label })));
  const roleOffering = offeringSelect(detail, "The first offering");
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Assign someone"),
      form({}, [picker.element, el("div", { className: "row" }, field("Role", "role_type", role), field("Offering", "offering_id", roleOffering)), el("button", { type: "submit" }, "Assign")], async () => {
        await records.create("course_role", { course_id: detail.course.id, offering_id: roleOffering.value || null, people_id: picker.value() ?? "", role_type: role.value as CourseRoleType, assigned_date: new Date().toISOString().slice(0, 10) });
        screen.refresh();
      }),
    ),
  );
  return section;
}

function sessionsCard(detail: CourseDetail, screen: Screen): HTMLElement {
  const list = el("div", { id: "sessions" });
  for (const session of detail.sessions) list.append(sessionItem(session, offeringName(detail, session.offering_id), screen));
  if (!detail.sessions.length) list.append(el("p", { className: "muted" }, "No sessions scheduled."));
  const section = card("Class sessions", list);
  if (!screen.can("courses.write")) return section;
  const title = input({ value: `${detail.course.name}: week ${detail.sessions.length + 1}` });
  const starts = input({ type: "datetime-local" });
  const minutes = input({ type: "number", min: "1", value: "90" });
  const capacity = input({ type: "number", min: "1", placeholder: "the room's" });
  const ratio = input({ type: "number", min: "1", placeholder: "no ratio" });
  const certification = select([{ value: "", label: "None" }]);
  const sessionOffering = offeringSelect(detail, "The first offering");
  void records.list("certification", { order_by: "name" }).then((page) => certification.append(...page.items.map((c) => el("option", { value: c.id }, c.name))), () => undefined);
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Schedule a session"),
      form({}, [field("Title", "title", title), el("div", { className: "row" }, field("Offering", "offering_id", sessionOffering), field("Starts", "starts_at", starts), field("Minutes", "ends_at", minutes)), el("div", { className: "row" }, field("Capacity", "capacity", capacity), field("Children per adult serving", "children_per_adult", ratio), field("Those serving must hold", "serving_certification_id", certification)), el("button", { type: "submit" }, "Schedule")], async () => {
        const start = new Date(starts.value);
        if (Number.isNaN(start.getTime())) throw inputError("Choose when the session starts.", "starts_at");
        const end = new Date(start.getTime() + (Number(minutes.value) || 0) * 60_000);
        const count = (value: string) => (value.trim() === "" ? null : Number(value));
        await records.create("class_session", { course_id: detail.course.id, offering_id: sessionOffering.value || null, title: title.value, starts_at: start.toISOString(), ends_at: end.toISOString(), status: "scheduled", facility_id: null, capacity: count(capacity.value), children_per_adult: count(ratio.value), serving_certification_id: certification.value || null });
        screen.refresh();
      }),
    ),
  );
  return section;
}

function sessionItem(session: ClassSession, offering: string, screen: Screen): HTMLElement {
  const roster = el("div", { className: "roster", hidden: true });
  const open = el("button", { type: "button", className: "secondary small" }, "Attendance");
  const item = el("div", { className: "session" }, el("div", { className: "session-head" }, el("span", {}, el("strong", {}, session.title), el("span", { className: "muted" }, ` · ${offering} · ${formatTime(session.starts_at)}`)), open), roster);
  open.addEventListener("click", async () => {
    roster.hidden = !roster.hidden;
    if (!roster.hidden) await fillRoster(roster, session, screen);
  });
  return item;
}

async function fillRoster(roster: HTMLElement, session: ClassSession, screen: Screen) {
  const lines = await office.sessionRoster(session.id);
  const statuses: AttendanceStatus[] = ["present", "late", "absent", "excused"];
  const table = el(
    "table",
    { className: "attendance" },
    el("thead", {}, el("tr", {}, el("th", {}, "Person"), el("th", {}, "Attendance"), el("th", {}, "Arrived"))),
    el(
      "tbody",
      {},
      ...lines.map((line) => {
        const cell = el("td", { className: "attendance-buttons" });
        for (const status of statuses) {
          const button = el("button", { type: "button", className: line.attendance?.status === status ? "small chosen" : "small secondary" }, status[0].toUpperCase() + status.slice(1));
          button.disabled = !screen.can("attendance.write");
          button.addEventListener("click", async () => {
            try {
              await office.markAttendance({ class_session_id: session.id, people_id: line.people_id, status });
              await fillRoster(roster, session, screen);
              await refreshEnrollments(session.course_id, screen);
            } catch (error) {
              alert(errorText(error));
            }
          });
          cell.append(button);
        }
        return el("tr", {}, el("td", {}, line.person_name), cell, el("td", {}, formatTime(line.attendance?.check_in_at)));
      }),
    ),
  );
  const print = printButton("Print attendance sheet", () => printAttendanceSheet(session, lines.map((l) => l.person_name)));
  roster.replaceChildren(lines.length ? table : el("p", { className: "muted" }, "No one is enrolled."), el("div", { className: "actions" }, print));
}

/// Attendance counts toward progress: after a mark, the enrollments show where people now stand,
/// while the roster being marked stays open.
async function refreshEnrollments(courseId: string, screen: Screen) {
  const shown = document.getElementById("enrollments-card");
  if (shown) shown.replaceWith(enrollmentsCard(await office.courseDetail(courseId), screen));
}

function printButton(label: string, build: () => HTMLElement): HTMLButtonElement {
  const button = el("button", { type: "button", className: "secondary" }, label);
  button.addEventListener("click", () => {
    const sheet = build();
    document.body.append(sheet);
    document.body.classList.add("printing");
    // The webview's print dialog also offers "Save as PDF".
    window.print();
    document.body.classList.remove("printing");
    sheet.remove();
  });
  return button;
}

function printRoster(detail: CourseDetail): HTMLElement {
  const active = detail.enrollments.filter((e) => e.enrollment.status !== "dropped").sort((a, b) => a.person_name.localeCompare(b.person_name));
  return el(
    "div",
    { className: "print-sheet" },
    el("h1", {}, detail.course.name),
    el("p", {}, `Class roster · printed ${formatDate(new Date().toISOString())}`),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Offering"), el("th", {}, "Status"), el("th", {}, "Progress"), el("th", {}, "Attendance"))),
      el("tbody", {}, ...active.map((l) => el("tr", {}, el("td", {}, l.person_name), el("td", {}, offeringName(detail, l.enrollment.offering_id)), el("td", {}, l.enrollment.registration_status === "waitlisted" ? "Waitlist" : statusLabel(l.enrollment.status)), el("td", {}, `${Math.round(l.enrollment.progress_percentage)}%`), el("td", {}, attendanceSummary(l, detail.course.sessions_required))))),
    ),
  );
}

function printAttendanceSheet(session: ClassSession, names: string[]): HTMLElement {
  return el(
    "div",
    { className: "print-sheet" },
    el("h1", {}, session.title),
    el("p", {}, `Attendance sheet · ${formatTime(session.starts_at)}`),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Present"), el("th", {}, "Signature"))), el("tbody", {}, ...names.map((n) => el("tr", {}, el("td", {}, n), el("td", {}, "☐"), el("td", {}, ""))))),
  );
}

function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
