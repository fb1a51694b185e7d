// Certifications: who holds what, what expires soon, what has expired, and what each requires.
import { api, office, records, type StandingFilter } from "../api";
import { card, el, field, form, formatDate, input, number, select } from "../dom";
import type { Screen } from "../main";
import { renewalsCard } from "./renewals";

const TABS: { filter: StandingFilter; label: string }[] = [
  { filter: "expiring_soon", label: "Expiring soon" },
  { filter: "expired", label: "Expired" },
  { filter: "all", label: "Everyone" },
];

let chosen: StandingFilter = "expiring_soon";

export async function renderCertifications(view: HTMLElement, screen: Screen) {
  const tabs = el("div", { className: "tabs", role: "tablist" });
  const body = el("div", { id: "standings" });
  const show = async (filter: StandingFilter) => {
    chosen = filter;
    tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.filter === filter)));
    const standings = await office.certificationStandings(filter);
    body.replaceChildren(
      standings.length
        ? el(
            "table",
            {},
            el("thead", {}, el("tr", {}, el("th", {}, "Person"), el("th", {}, "Certification"), el("th", {}, "Standing"), el("th", {}, "Earned"), el("th", {}, "Expires"), el("th", {}, "Certificate"))),
            el(
              "tbody",
              {},
              ...standings.map((s) =>
                el(
                  "tr",
                  { className: `standing-${s.standing}` },
                  el("td", {}, el("a", { href: `#/people/${s.progress.people_id}` }, s.person_name)),
                  el("td", {}, s.certification_name),
                  el("td", {}, s.standing === "expiring_soon" ? `Expires in ${s.days_left} day${s.days_left === 1 ? "" : "s"}` : s.standing.replace("_", " ")),
                  el("td", {}, formatDate(s.progress.completed_date)),
                  el("td", {}, formatDate(s.progress.expires_date)),
                  el("td", {}, s.progress.certificate_number ?? ""),
                ),
              ),
            ),
          )
        : el("p", { className: "muted" }, filter === "all" ? "No one holds a certification yet." : "No one in this list."),
    );
  };
  for (const tab of TABS) {
    const button = el("button", { type: "button", role: "tab", className: "tab" }, tab.label);
    button.dataset.filter = tab.filter;
    button.addEventListener("click", () => void show(tab.filter));
    tabs.append(button);
  }
  view.replaceChildren(card("Certifications", tabs, body));
  await show(chosen);
  const renewals = await renewalsCard(screen);
  if (renewals) view.append(renewals);
  await definitions(view, screen);
}

async function definitions(view: HTMLElement, screen: Screen) {
  const [certifications, links, courses] = await Promise.all([records.list("certification", { order_by: "name" }), records.list("certification_course", { limit: 1000 }), api.listCourses()]);
  const courseName = new Map(courses.map((c) => [c.id, c.name]));
  const list = el(
    "ul",
    { className: "list", id: "certification-definitions" },
    ...certifications.items.map((c) => {
      if (c.source === "planning_center") {
        return el("li", {}, el("span", {}, el("strong", {}, c.name), el("br"), el("span", { className: "muted" }, "Read from Planning Center's background checks at every sync; change them there")), el("span", { className: "muted" }, "expires when Planning Center says"));
      }
      const required = links.items.filter((l) => l.certification_id === c.id && l.is_active).map((l) => courseName.get(l.course_id) ?? "a retired course");
      const refresher = c.refresher_course_id ? ` · renewed by ${courseName.get(c.refresher_course_id) ?? "a retired course"} or by taking it again` : " · renewed by taking it again";
      return el("li", {}, el("span", {}, el("strong", {}, c.name), el("br"), el("span", { className: "muted" }, (required.length ? `Requires ${required.join(", ")}` : "Requires no course yet") + refresher)), el("span", { className: "muted" }, c.validity_months ? `valid ${c.validity_months} months` : "never expires"));
    }),
  );
  const section = card("What each certification requires", list);
  view.append(section);
  if (!screen.can("certifications.write")) return;
  const name = input();
  const months = input({ type: "number", min: "1", placeholder: "Never expires" });
  const course = select(courses.map((c) => ({ value: c.id, label: c.name })));
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "New certification"),
      form({ id: "new-certification" }, [field("Name", "name", name), el("div", { className: "row" }, field("Valid for (months)", "validity_months", months), field("Earned by completing", "course_id", course)), el("button", { type: "submit" }, "Create")], async () => {
        const created = await records.create("certification", { name: name.value, validity_months: number(months.value) });
        await records.create("certification_course", { certification_id: created.id, course_id: course.value });
        screen.refresh();
      }),
    ),
  );
  // Planning Center's background checks take no courses: they are not offered here.
  const which = select(certifications.items.filter((c) => c.source !== "planning_center").map((c) => ({ value: c.id, label: c.name })));
  const addCourse = select(courses.map((c) => ({ value: c.id, label: c.name })));
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Require another course"),
      form({ id: "require-course" }, [el("div", { className: "row" }, field("Certification", "certification_id", which), field("Course", "course_id", addCourse)), el("button", { type: "submit" }, "Require it")], async () => {
        await records.create("certification_course", { certification_id: which.value, course_id: addCourse.value });
        screen.refresh();
      }),
    ),
  );
  // A shorter course that renews the certification for someone who held it.
  const renewed = select(certifications.items.filter((c) => c.source !== "planning_center").map((c) => ({ value: c.id, label: c.name })));
  const refresher = select([{ value: "", label: "None (taking it again renews it)" }, ...courses.map((c) => ({ value: c.id, label: c.name }))]);
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Name a refresher course"),
      form({ id: "refresher-course" }, [el("div", { className: "row" }, field("Certification", "certification_id", renewed), field("Refresher course", "refresher_course_id", refresher)), el("button", { type: "submit" }, "Save")], async () => {
        const certification = certifications.items.find((c) => c.id === renewed.value);
        if (!certification) return;
        await records.update("certification", { ...certification, refresher_course_id: refresher.value || null });
        screen.refresh();
      }),
    ),
  );
}
