// Reports: attendance over time, first-time visitors, the course funnel, certifications and
// rooms, for a campus, a course and a range of days. The numbers are worked out in Rust; this
// screen draws each as a chart with its table, exports it as CSV, and prints it.
import { records, reports, type AttendanceReport, type CertificationReport, type FunnelReport, type ReportFilter, type ReportKind, type RoomsReport, type VisitorReport } from "../api";
import { chartWithTable, numbersTable, type Line } from "../charts";
import { el, errorText, field, form, formatTime, input, select } from "../dom";
import type { Screen } from "../main";

const KINDS: { kind: ReportKind; label: string }[] = [
  { kind: "attendance", label: "Attendance over time" },
  { kind: "visitors", label: "First-time visitors" },
  { kind: "funnel", label: "Course funnel" },
  { kind: "certifications", label: "Certifications" },
  { kind: "rooms", label: "Rooms" },
];

/// A chart shows this many courses; the table and the CSV have them all.
const CHARTED_COURSES = 6;

/// The last twelve weeks, from a Monday, to today.
function defaultRange(): { from: string; to: string } {
  const today = new Date();
  const start = new Date(today);
  start.setDate(today.getDate() - 7 * 11 - ((today.getDay() + 6) % 7));
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return { from: day(start), to: day(today) };
}

export async function renderReports(view: HTMLElement, _screen: Screen) {
  const [campuses, courses] = await Promise.all([records.list("campus", { order_by: "name" }), records.list("course", { order_by: "name", limit: 1000 })]);
  const kind = select(KINDS.map((k) => ({ value: k.kind, label: k.label })), { id: "report-kind" });
  const campus = select([{ value: "", label: "All campuses" }, ...campuses.items.map((c) => ({ value: c.id, label: c.name }))], { id: "report-campus" });
  const course = select([{ value: "", label: "All courses" }, ...courses.items.map((c) => ({ value: c.id, label: c.name }))], { id: "report-course" });
  const range = defaultRange();
  const from = input({ type: "date", value: range.from, id: "report-from" });
  const to = input({ type: "date", value: range.to, id: "report-to" });
  const output = el("div", { id: "report" });
  const filter = (): ReportFilter => ({ campus_id: campus.value || null, course_id: course.value || null, from: from.value, to: to.value });
  const show = form({ id: "report-filter", className: "no-print" }, [
    el("div", { className: "row" }, field("Report", "kind", kind), field("Campus", "campus_id", campus), field("Course", "course_id", course), field("From", "from", from), field("To", "to", to)),
    el("button", { type: "submit" }, "Show"),
  ], async () => {
    const chosen = kind.value as ReportKind;
    output.replaceChildren(el("p", { className: "muted" }, "Working it out…"));
    output.replaceChildren(await drawReport(chosen, filter()));
  });
  kind.addEventListener("change", () => show.requestSubmit());
  view.replaceChildren(
    el("section", { className: "card" }, el("h2", {}, "Reports"), el("p", { className: "muted no-print" }, "Weeks start on Monday. A campus-scoped computer reports its own campus only."), show),
    output,
  );
  show.requestSubmit();
}

async function drawReport(kind: ReportKind, filter: ReportFilter): Promise<HTMLElement> {
  const body = await {
    attendance: async () => attendanceReport(await reports.attendance(filter)),
    visitors: async () => visitorsReport(await reports.visitors(filter)),
    funnel: async () => funnelReport(await reports.funnel(filter)),
    certifications: async () => certificationsReport(await reports.certifications(filter)),
    rooms: async () => roomsReport(await reports.rooms(filter)),
  }[kind]();
  const title = KINDS.find((k) => k.kind === kind)?.label ?? kind;
  const saved = el("span", { className: "muted", role: "status", id: "report-saved" });
  const exportButton = el("button", { type: "button", className: "secondary", id: "report-export" }, "Export CSV");
  exportButton.addEventListener("click", async () => {
    try {
      saved.textContent = `Saved to ${await reports.exportCsv(kind, filter)}`;
    } catch (error) {
      saved.textContent = errorText(error);
    }
  });
  const printButton = el("button", { type: "button", className: "secondary", id: "report-print" }, "Print");
  printButton.addEventListener("click", () => {
    document.body.classList.add("printing-report");
    window.print();
    document.body.classList.remove("printing-report");
  });
  return el(
    "section",
    { className: `card report report-${kind}` },
    el("h2", {}, `${title} · ${filter.from} to ${filter.to}`),
    el("div", { className: "actions no-print" }, exportButton, printButton, saved),
    body,
  );
}

function attendanceReport(report: AttendanceReport): HTMLElement {
  const weeks = report.weeks;
  const courses = report.by_course.slice(0, CHARTED_COURSES);
  const lines: Line[] = [
    { label: "Attendance", values: report.total },
    { label: "The same weeks a year before", values: report.year_before, dashed: true },
  ];
  const total = report.total.reduce((a, b) => a + b, 0);
  const before = report.year_before.reduce((a, b) => a + b, 0);
  const change = before ? ` (${total >= before ? "+" : ""}${Math.round(((total - before) / before) * 100)}% on a year before)` : "";
  return el(
    "div",
    {},
    el("p", { className: "summary" }, `${total} attended in ${weeks.length} weeks${change}.`),
    chartWithTable({ id: "attendance-total", title: "Weekly attendance", kind: "line", labels: weeks, lines }),
    chartWithTable({ id: "attendance-courses", title: `By course (the ${courses.length} busiest)`, kind: "bar", stacked: true, labels: weeks, lines: courses.map((s) => ({ label: s.name, values: s.counts })) }),
    el("h3", {}, "By room and by campus"),
    numbersTable(["", "Attended"], [...report.by_room.map((s) => [s.name, String(s.total)]), ...report.by_campus.map((s) => [`Campus: ${s.name}`, String(s.total)])]),
  );
}

function visitorsReport(report: VisitorReport): HTMLElement {
  const followUp = report.follow_up_shown
    ? el(
        "div",
        {},
        el("h3", {}, "To follow up"),
        report.follow_up.length < report.first_timers
          ? el("p", { className: "muted" }, `The ${report.follow_up.length} to call first of ${report.first_timers}: those not back yet, the latest first. The CSV export has the same list.`)
          : null,
        report.follow_up.length
          ? numbersTable(["Name", "First visit", `Came back within ${report.came_back_within_days} days`, "Phone", "E-mail"], report.follow_up.map((v) => [v.name, v.first_visit, v.came_back ? "yes" : "not yet", v.phone ?? "", v.email ?? ""]))
          : el("p", { className: "muted" }, "No first-time visitors in these weeks."),
      )
    : el("p", { className: "muted" }, "Names and contact details are shown to those allowed to read people.");
  return el(
    "div",
    {},
    el("p", { className: "summary" }, `${report.first_timers} first-time visitors; ${report.came_back} came back within four weeks.`),
    chartWithTable({
      id: "visitors-weeks",
      title: "First-time visitors per week",
      kind: "bar",
      labels: report.weeks.map((w) => w.week),
      lines: [
        { label: "First-time visitors", values: report.weeks.map((w) => w.first_timers) },
        { label: `Came back within ${report.came_back_within_days} days`, values: report.weeks.map((w) => w.came_back) },
      ],
    }),
    followUp,
  );
}

function funnelReport(report: FunnelReport): HTMLElement {
  if (!report.courses.length) return el("p", { className: "muted" }, "Nobody enrolled in these days.");
  const charted = report.courses.slice(0, CHARTED_COURSES);
  return el(
    "div",
    {},
    chartWithTable({
      id: "funnel-chart",
      title: `Enrolled, started and completed (the ${charted.length} most enrolled)`,
      kind: "bar",
      horizontal: true,
      labels: charted.map((c) => c.course),
      lines: [
        { label: "Enrolled", values: charted.map((c) => c.enrolled) },
        { label: "Started", values: charted.map((c) => c.started) },
        { label: "Completed", values: charted.map((c) => c.completed) },
      ],
    }),
    el("h3", {}, "Every course"),
    numbersTable(
      ["Course", "Enrolled", "Started", "Completed", "Dropped", "Median days to complete", "Where people stall"],
      report.courses.map((c) => [c.course, String(c.enrolled), String(c.started), String(c.completed), String(c.dropped), c.median_days_to_complete === null ? "" : String(Math.round(c.median_days_to_complete)), c.stalled_at ? `${c.stalled_at.label} (${c.stalled_at.count})` : ""]),
    ),
  );
}

function certificationsReport(report: CertificationReport): HTMLElement {
  const served = report.served_without_list.length
    ? listed(report.served_without_list.length, report.served_without, numbersTable(["Served without a valid certification", "Session", "Day", "Certification"], report.served_without_list.map((s) => [s.name, s.session, s.day, s.certification ?? ""])))
    : el("p", { className: "muted" }, report.served_without ? `${report.served_without} times someone served without a valid certification (names are shown to those allowed to read people).` : "Nobody served without a valid certification in these days.");
  return el(
    "div",
    {},
    el("p", { className: "summary" }, `${report.expiring_by_month.reduce((a, m) => a + m.count, 0)} expire in the next 12 months; ${report.expired} already expired.`),
    chartWithTable({ id: "certifications-months", title: "Expiring per month", kind: "bar", labels: report.expiring_by_month.map((m) => m.label), lines: [{ label: "Expiring", values: report.expiring_by_month.map((m) => m.count) }] }),
    el("h3", {}, "Already expired"),
    report.expired_by_certification.length ? numbersTable(["Certification", "Expired"], report.expired_by_certification.map((c) => [c.label, String(c.count)])) : el("p", { className: "muted" }, "None."),
    el("h3", {}, "Serving without a valid certification"),
    served,
  );
}

/** A list with, when it holds only the latest of more, a line that says so. */
function listed(shown: number, all: number, table: HTMLElement): HTMLElement {
  return shown < all ? el("div", {}, el("p", { className: "muted" }, `The latest ${shown} of ${all}.`), table) : table;
}

function roomsReport(report: RoomsReport): HTMLElement {
  const latest = report.sessions.slice(0, 20).reverse();
  return el(
    "div",
    {},
    el("p", { className: "summary" }, `${report.session_count} sessions: ${report.over_capacity} over capacity, ${report.ratio_missed} short of adults for their ratio, ${report.released_without_code} children released without their tag's code.`),
    chartWithTable({
      id: "rooms-chart",
      title: `Children and adults serving (the ${latest.length} latest sessions)`,
      kind: "bar",
      stacked: true,
      labels: latest.map((s) => `${s.session} · ${formatTime(s.starts_at)}`),
      lines: [
        { label: "Children", values: latest.map((s) => s.children) },
        { label: "Adults serving", values: latest.map((s) => s.adults) },
      ],
    }),
    el("h3", {}, report.sessions.length < report.session_count ? `The ${report.sessions.length} latest sessions of ${report.session_count}` : "Every session"),
    numbersTable(
      ["Session", "Starts", "Room", "Children", "Adults serving", "Capacity", "Ratio", "Released without code"],
      report.sessions.map((s) => [
        s.session,
        formatTime(s.starts_at),
        s.room ?? "",
        String(s.children),
        String(s.adults),
        s.capacity === null ? "" : `${s.capacity}${s.over_capacity ? " (over)" : ""}`,
        s.children_per_adult === null ? "" : `1 per ${s.children_per_adult}: ${s.ratio_met ? "met" : "short"}`,
        String(s.released_without_code),
      ]),
    ),
  );
}
