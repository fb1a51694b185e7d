// Renewals on time: whose certification expires inside the office's window (or has expired),
// the course and offering that renew it, and "Enroll in the next offering" in one click.
import { office, type RenewalDue } from "../api";
import { card, el, errorText, formatDate } from "../dom";
import type { Screen } from "../main";

export async function renewalsCard(screen: Screen): Promise<HTMLElement | null> {
  const due = await office.renewalsDue();
  if (!due.length) return null;
  const problems = el("p", { className: "error", id: "renewal-problem" });
  const table = el(
    "table",
    { id: "renewals" },
    el("thead", {}, el("tr", {}, el("th", {}, "Person"), el("th", {}, "Certification"), el("th", {}, "Standing"), el("th", {}, "Renewed by"), el("th", { className: "no-print" }, ""))),
    el("tbody", {}, ...due.map((line) => renewalRow(line, screen, problems))),
  );
  const section = card("Renewals due", el("p", { className: "muted" }, "Certifications that expire within the office's window, or have expired. A renewal counts from the day the course is completed again."), table, problems);
  section.id = "renewals-card";
  return section;
}

function standingText(line: RenewalDue): string {
  if (line.standing === "expired") return `Expired ${formatDate(line.expires_on)}`;
  if (line.standing === "expiring_soon") return `Expires ${formatDate(line.expires_on)} (in ${line.days_left} day${line.days_left === 1 ? "" : "s"})`;
  return `Expires ${formatDate(line.expires_on)}`;
}

function renewalRow(line: RenewalDue, screen: Screen, problems: HTMLElement): HTMLElement {
  const action = el("td", { className: "no-print" });
  if (line.enrolled_in) {
    action.append(el("span", { className: "badge" }, `Enrolled: ${line.enrolled_in}`));
  } else if (!line.renewal_course_id) {
    action.append(el("span", { className: "muted" }, "No course renews it"));
  } else if (screen.can("enrollments.write")) {
    const enroll = el("button", { type: "button", className: "small" }, "Enroll in the next offering");
    enroll.addEventListener("click", async () => {
      enroll.disabled = true;
      try {
        await office.enrollForRenewal(line.people_id, line.certification_id);
        screen.refresh();
      } catch (error) {
        enroll.disabled = false;
        problems.textContent = errorText(error);
      }
    });
    action.append(enroll);
  }
  const next = line.next_offering_name ? ` — ${line.next_offering_name}${line.next_offering_starts_on ? `, from ${formatDate(line.next_offering_starts_on)}` : ""}` : "";
  const row = el(
    "tr",
    { className: `standing-${line.standing}` },
    el("td", {}, el("a", { href: `#/people/${line.people_id}` }, line.person_name)),
    el("td", {}, line.certification_name),
    el("td", {}, standingText(line)),
    el("td", {}, line.renewal_course_id ? el("a", { href: `#/courses/${line.renewal_course_id}` }, line.renewal_course_name ?? "") : "", next),
    action,
  );
  row.dataset.person = line.person_name;
  return row;
}
