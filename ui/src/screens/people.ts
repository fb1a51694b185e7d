// People: search and browse, add someone, and one person's page (household, campuses, roles,
// special requirements, enrollments, attendance).
import { api, office, records, session, type HistoryLine, type Person, type PersonDetail, type RequirementType, type Severity, type Visibility } from "../api";
import { card, el, errorText, field, form, formatDate, formatTime, input, progressBar, select, text } from "../dom";
import type { Screen } from "../main";
import { qrCode } from "../qr";

const PAGE = 50;

export async function renderPeople(view: HTMLElement, screen: Screen) {
  const search = el("input", { type: "search", id: "people-search", placeholder: "Search by name, nickname, e-mail or the last digits of a phone", autocomplete: "off" });
  const list = el("tbody");
  const more = el("div", { className: "actions" });
  const table = el("table", { id: "people-table" }, el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Household"), el("th", {}, "E-mail"), el("th", {}, "Phone"))), list);
  const row = (p: Person) => el("tr", {}, el("td", {}, el("a", { href: `#/people/${p.id}` }, `${p.nickname ?? p.first_name} ${p.last_name}`)), el("td", {}, p.household_name ?? ""), el("td", {}, p.email ?? ""), el("td", {}, p.phone ?? ""));
  let offset = 0;
  const browse = async () => {
    const page = await records.list("people", { order_by: "last_name", limit: PAGE, offset });
    list.append(...page.items.map(row));
    offset += page.items.length;
    more.replaceChildren(el("span", { className: "muted" }, `${offset.toLocaleString()} of ${page.total.toLocaleString()}`));
    if (offset < page.total) {
      const next = el("button", { type: "button", className: "secondary" }, "Show more");
      next.addEventListener("click", () => void browse());
      more.append(next);
    }
  };
  let latest = 0;
  search.addEventListener("input", async () => {
    const mine = ++latest;
    const query = search.value.trim();
    list.replaceChildren();
    if (!query) {
      offset = 0;
      return browse();
    }
    try {
      const people = await api.searchPeople(query);
      if (mine !== latest) return;
      list.replaceChildren(...people.map(row));
      more.replaceChildren(el("span", { className: "muted" }, people.length ? `${people.length} best matches` : "No one matches."));
    } catch (error) {
      more.replaceChildren(el("span", { className: "error" }, errorText(error)));
    }
  });
  view.replaceChildren(card("People", search, table, more));
  await browse();
  if (screen.can("people.write")) view.append(newPersonForm(screen));
}

function newPersonForm(screen: Screen): HTMLElement {
  const first = input({ autocomplete: "given-name" });
  const last = input({ autocomplete: "family-name" });
  const email = input({ type: "email" });
  const phone = input({ type: "tel" });
  const birth = input({ type: "date" });
  return el(
    "details",
    { className: "card" },
    el("summary", {}, "Add a person"),
    form({ id: "new-person" }, [el("div", { className: "row" }, field("First name", "first_name", first), field("Last name", "last_name", last)), el("div", { className: "row" }, field("E-mail", "email", email), field("Phone", "phone", phone), field("Date of birth", "date_of_birth", birth)), el("button", { type: "submit" }, "Add person")], async () => {
      const person = await records.create("people", { first_name: first.value, last_name: last.value, email: text(email.value), phone: text(phone.value), date_of_birth: text(birth.value), status: "active" });
      screen.go(`#/people/${person.id}`);
    }),
  );
}

export async function renderPerson(view: HTMLElement, screen: Screen, id: string) {
  const detail = await office.personDetail(id);
  const { person } = detail;
  const facts = el(
    "dl",
    { className: "facts" },
    ...([
      ["E-mail", person.email],
      ["Phone", person.phone],
      ["Born", formatDate(person.date_of_birth)],
      ["Address", [person.address1, person.address2, person.city, person.state, person.zip].filter(Boolean).join(", ")],
      ["Planning Center", person.planning_center_id ? `linked (${person.planning_center_id})` : "not linked"],
    ] as [string, string | null][])
      .filter(([, v]) => v)
      .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")]),
  );
  const header = el(
    "section",
    { className: "card", id: "person-header" },
    el("p", { className: "crumbs" }, el("a", { href: "#/people" }, "People"), " › "),
    el("h2", {}, `${person.first_name}${person.nickname ? ` “${person.nickname}”` : ""} ${person.last_name}`, person.is_active ? null : el("span", { className: "badge" }, "inactive")),
    facts,
    screen.can("audit.read") ? el("a", { className: "button secondary", href: `#/audit?person=${person.id}` }, "History") : null,
  );
  view.replaceChildren(header);
  if (screen.can("people.write")) header.append(editPerson(person, screen));

  const household = card(
    detail.household ? detail.household.name : "Household",
    !detail.household
      ? el("p", { className: "muted" }, "Not in a household.")
      : detail.household_members.length
        ? el("ul", { className: "list" }, ...detail.household_members.map((m) => el("li", {}, el("a", { href: `#/people/${m.id}` }, `${m.nickname ?? m.first_name} ${m.last_name}`), el("span", { className: "muted" }, formatDate(m.date_of_birth)))))
        : el("p", { className: "muted" }, "No one else lives here."),
  );
  if (screen.can("people.write")) household.append(await householdForm(detail.person.id, detail.person.household_id, screen));
  if (screen.can("people.read")) household.append(familyCardButton(detail));
  const places = card(
    "Campuses and roles",
    el("ul", { className: "list" }, ...detail.campuses.map(([link, campus]) => el("li", {}, el("span", {}, campus.name), el("span", { className: "muted" }, link.is_primary ? "primary campus" : "campus"))), ...detail.roles.map(([, role]) => el("li", {}, el("span", {}, role.name), el("span", { className: "muted" }, "role")))),
  );
  if (!detail.campuses.length && !detail.roles.length) places.append(el("p", { className: "muted" }, "No campus or role yet."));
  await assignments(places, detail, screen);
  view.append(el("div", { className: "columns" }, household, places), requirementsCard(detail.special_requirements, person.id, screen));
  if (screen.can("special_requirements.read")) view.append(await pickupListCard(detail, screen));
  if (detail.has_password !== null && person.is_active) view.append(signInCard(detail));
  if (screen.can("enrollments.read")) {
    view.append(
      card(
        "Courses",
        detail.enrollments.length
          ? el(
              "table",
              { id: "person-enrollments" },
              el("thead", {}, el("tr", {}, el("th", {}, "Course"), el("th", {}, "Offering"), el("th", {}, "Status"), el("th", {}, "Progress"), el("th", {}, "Enrolled"))),
              el(
                "tbody",
                {},
                ...detail.enrollments.map(({ enrollment: e, course_name, offering_name }) =>
                  el("tr", {}, el("td", {}, el("a", { href: `#/courses/${e.course_id}` }, course_name)), el("td", {}, offering_name), el("td", {}, e.registration_status === "waitlisted" ? "Waitlist" : e.status.replace("_", " "), e.dependency_override ? el("span", { className: "badge override", title: e.dependency_override_reason ?? "" }, "override") : null), el("td", {}, progressBar(e.progress_percentage), ` ${Math.round(e.progress_percentage)}%`), el("td", {}, formatDate(e.enrollment_date))),
                ),
              ),
            )
          : el("p", { className: "muted" }, "Not enrolled in any course."),
      ),
    );
  }
  if (screen.can("certifications.read")) {
    const history = await office.certificationHistory(person.id);
    if (history.length) view.append(historyCard(history));
  }
  if (detail.attendance.length) {
    view.append(card("Attendance", el("ul", { className: "list" }, ...detail.attendance.map((a) => el("li", {}, el("span", {}, a.status), el("span", { className: "muted" }, formatTime(a.check_in_at ?? a.created_at)))))));
  }
}

/// For an administrator: a single-use code with which this person sets their first password,
/// or a new one when they forgot theirs. The code is shown once, here, and kept only as a hash.
function signInCard(detail: PersonDetail): HTMLElement {
  const name = `${detail.person.nickname ?? detail.person.first_name} ${detail.person.last_name}`;
  const purpose = detail.has_password ? "reset" : "invite";
  const make = el("button", { type: "button", id: "make-invitation" }, detail.has_password ? "Make a password reset code" : "Invite to sign in");
  const shown = el("div", { id: "invitation", role: "status" });
  make.addEventListener("click", async () => {
    make.disabled = true;
    try {
      const invitation = await session.invite(detail.person.id, purpose);
      shown.replaceChildren(
        el("p", { className: "code", id: "invitation-code-shown" }, invitation.code),
        el("p", { className: "muted" }, `Give this code to ${name} in person. It works once, on this computer's sign-in screen, until ${formatTime(invitation.expires_at)}; they choose their own password with it. Making another code cancels this one.`),
      );
    } catch (error) {
      shown.replaceChildren(el("p", { className: "error" }, errorText(error)));
    } finally {
      make.disabled = false;
    }
  });
  const state = detail.has_password ? `${name} has a password and signs in on any of the church's computers.` : `${name} has no password yet.`;
  return card("Signing in", el("p", { className: "muted" }, state), make, shown);
}

function editPerson(person: Person, screen: Screen): HTMLElement {
  const first = input({ value: person.first_name });
  const last = input({ value: person.last_name });
  const nickname = input({ value: person.nickname ?? "" });
  const email = input({ type: "email", value: person.email ?? "" });
  const phone = input({ type: "tel", value: person.phone ?? "" });
  return el(
    "details",
    {},
    el("summary", {}, "Edit"),
    form({ id: "edit-person" }, [el("div", { className: "row" }, field("First name", "first_name", first), field("Last name", "last_name", last), field("Nickname", "nickname", nickname)), el("div", { className: "row" }, field("E-mail", "email", email), field("Phone", "phone", phone)), el("button", { type: "submit" }, "Save")], async () => {
      await records.update("people", { ...person, first_name: first.value, last_name: last.value, nickname: text(nickname.value), email: text(email.value), phone: text(phone.value) });
      screen.refresh();
    }),
  );
}

function requirementsCard(requirements: import("../api").SpecialRequirement[], peopleId: string, screen: Screen): HTMLElement {
  const list = el(
    "ul",
    { className: "list", id: "special-requirements" },
    ...requirements.map((r) => el("li", { className: `severity-${r.severity}` }, el("span", {}, el("strong", {}, r.requirement_type), ` ${r.details}`), el("span", { className: "muted" }, `${r.severity}${r.visibility === "staff" ? " · staff only" : ""}`))),
  );
  if (!requirements.length) list.append(el("li", { className: "muted" }, "None recorded."));
  const section = card("Special requirements", el("p", { className: "muted" }, "Shown to volunteers at check-in; “staff only” ones only to staff."), list);
  if (!screen.can("special_requirements.write")) return section;
  const type = select(["allergy", "medical", "accessibility", "dietary", "other"].map((v) => ({ value: v, label: v })));
  const severity = select(["low", "medium", "high", "critical"].map((v) => ({ value: v, label: v })));
  const visibility = select([
    { value: "checkin", label: "Volunteers at check-in" },
    { value: "staff", label: "Staff only" },
  ]);
  const details = input();
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Add a requirement"),
      form({}, [el("div", { className: "row" }, field("Type", "requirement_type", type), field("Severity", "severity", severity), field("Who sees it", "visibility", visibility)), field("Details", "details", details), el("button", { type: "submit" }, "Add")], async () => {
        await records.create("special_requirement", { people_id: peopleId, requirement_type: type.value as RequirementType, severity: severity.value as Severity, visibility: visibility.value as Visibility, details: details.value, requires_action: false });
        screen.refresh();
      }),
    ),
  );
  return section;
}

/// A card the family keeps: its QR code finds them at a self check-in station (the household, or
/// this person when they have none), and shows them nobody else.
function familyCardButton(detail: PersonDetail): HTMLElement {
  const token = detail.household ? `CCT-FAMILY:${detail.household.id}` : `CCT-PERSON:${detail.person.id}`;
  const name = detail.household?.name ?? `${detail.person.first_name} ${detail.person.last_name}`;
  const shown = el("div", { id: "family-card-shown" });
  const button = el("button", { type: "button", className: "secondary small", id: "family-card" }, "Family card for self check-in");
  button.addEventListener("click", () => {
    const cardNode = el("div", { className: "label family-card" }, el("strong", {}, name), qrCode(token, `Family card for ${name}`), el("span", { className: "muted" }, "Scan at a self check-in station"));
    const print = el("button", { type: "button", className: "secondary small" }, "Print");
    print.addEventListener("click", () => {
      const sheet = el("div", { className: "print-sheet" }, cardNode.cloneNode(true));
      document.body.append(sheet);
      document.body.classList.add("printing");
      window.print();
      document.body.classList.remove("printing");
      sheet.remove();
    });
    shown.replaceChildren(cardNode, print);
  });
  return el("div", {}, button, shown);
}

/// Who may, and who must not, collect this child at check-out. The household's adults may
/// without being listed; a "must not" entry (a custody order) bars even them. Volunteers see
/// only who may; the store keeps the rest from them.
async function pickupListCard(detail: PersonDetail, screen: Screen): Promise<HTMLElement> {
  const child = detail.person;
  const contacts = (await records.list("pickup_contact", { filters: [["child_id", child.id]], order_by: "name" })).items;
  const list = el(
    "ul",
    { className: "list", id: "pickup-list" },
    ...contacts.map((c) => {
      const item = el("li", { className: c.may_collect ? "" : "severity-critical" }, el("span", {}, el("strong", {}, c.may_collect ? "May collect: " : "Must NOT collect: "), `${c.name}${c.relationship ? ` (${c.relationship})` : ""}`), el("span", { className: "muted" }, c.note ?? ""));
      if (screen.can("special_requirements.write")) {
        const remove = el("button", { type: "button", className: "secondary small" }, "Remove");
        remove.addEventListener("click", async () => {
          await records.deactivate("pickup_contact", c.id);
          screen.refresh();
        });
        item.append(remove);
      }
      return item;
    }),
  );
  if (!contacts.length) list.append(el("li", { className: "muted" }, "Nobody listed: the adults of the household may collect."));
  const section = card("Pickup at check-out", el("p", { className: "muted" }, "The adults of the household may collect without being listed. A “must not” entry bars anyone, household included; its note is for staff only."), list);
  if (!screen.can("special_requirements.write")) return section;
  const members = detail.household_members.filter((m) => m.id !== child.id);
  const who = select([...members.map((m) => ({ value: m.id, label: `${m.nickname ?? m.first_name} ${m.last_name}` })), { value: "", label: "Someone else (type the name)" }]);
  const name = input({ placeholder: "Name, if not in the household" });
  const relationship = input({ placeholder: "grandmother, neighbour…" });
  const allowed = select([
    { value: "yes", label: "May collect" },
    { value: "no", label: "Must NOT collect" },
  ]);
  const note = input({ placeholder: "For staff: a court order's terms" });
  section.append(
    el(
      "details",
      {},
      el("summary", {}, "Add to the pickup list"),
      form({ id: "add-pickup-contact" }, [el("div", { className: "row" }, field("Person", "people_id", who), field("Name", "name", name), field("Relationship", "relationship", relationship), field("Pickup", "may_collect", allowed)), field("Note", "note", note), el("button", { type: "submit" }, "Add")], async () => {
        const member = members.find((m) => m.id === who.value);
        await records.create("pickup_contact", {
          child_id: child.id,
          people_id: member?.id ?? null,
          name: member ? `${member.nickname ?? member.first_name} ${member.last_name}` : name.value,
          relationship: relationship.value || null,
          may_collect: allowed.value === "yes",
          note: note.value || null,
        });
        screen.refresh();
      }),
    ),
  );
  return section;
}

/// Assigning a campus (people.write) or a role (roles.manage); the store checks both.
async function assignments(section: HTMLElement, detail: import("../api").PersonDetail, screen: Screen) {
  const today = new Date().toISOString().slice(0, 10);
  const peopleId = detail.person.id;
  if (screen.can("people.write") && screen.can("campuses.read")) {
    const campuses = (await records.list("campus", { order_by: "name" })).items.filter((c) => !detail.campuses.some(([, mine]) => mine.id === c.id));
    if (campuses.length) {
      const campus = select(campuses.map((c) => ({ value: c.id, label: c.name })));
      const primary = el("input", { type: "checkbox", checked: detail.campuses.length === 0 });
      section.append(
        form({ className: "inline" }, [field("Add to a campus", "campus_id", campus), el("label", { className: "check" }, primary, " Primary campus"), el("button", { type: "submit", className: "secondary" }, "Add")], async () => {
          await records.create("people_campus", { people_id: peopleId, campus_id: campus.value, is_primary: primary.checked, assigned_date: today });
          screen.refresh();
        }),
      );
    }
  }
  if (screen.can("roles.manage")) {
    const roles = (await records.list("role", { order_by: "name" })).items.filter((r) => !detail.roles.some(([, mine]) => mine.id === r.id));
    if (roles.length) {
      const role = select(roles.map((r) => ({ value: r.id, label: r.name })));
      section.append(
        form({ className: "inline" }, [field("Give a role", "role_id", role), el("button", { type: "submit", className: "secondary" }, "Give")], async () => {
          await records.create("people_role", { people_id: peopleId, role_id: role.value, assigned_date: today, assigned_by: screen.status.signed_in?.person_id ?? null });
          screen.refresh();
        }),
      );
    }
  }
}

/// Moving someone to another household, a new one, or out of one. The store keeps the name.
async function householdForm(peopleId: string, current: string | null, screen: Screen): Promise<HTMLElement> {
  const households = (await records.list("household", { order_by: "name", limit: 1000 })).items.filter((h) => h.id !== current);
  const choice = select([{ value: "", label: "A new household…" }, ...households.map((h) => ({ value: h.id, label: h.name })), ...(current ? [{ value: "none", label: "No household" }] : [])]);
  const name = input({ placeholder: "Name of the new household" });
  choice.addEventListener("change", () => (name.hidden = choice.value !== ""));
  return el(
    "details",
    {},
    el("summary", {}, current ? "Move to another household" : "Add to a household"),
    form({ id: "move-household" }, [field("Household", "household_id", choice), field("New household", "name", name), el("button", { type: "submit", className: "secondary" }, "Save")], async () => {
      const to = choice.value === "" ? { to: "new" as const, name: name.value } : choice.value === "none" ? { to: "none" as const } : { to: "existing" as const, household_id: choice.value };
      await office.moveToHousehold(peopleId, to);
      screen.refresh();
    }),
  );
}

/// Every time this person earned each certification, the latest first: the standing comes from
/// the latest, and the earlier ones stay as the record of their training.
function historyCard(history: HistoryLine[]): HTMLElement {
  const section = card(
    "Certification history",
    el(
      "table",
      { id: "certification-history" },
      el("thead", {}, el("tr", {}, el("th", {}, "Certification"), el("th", {}, "Earned"), el("th", {}, "Expires"), el("th", {}, "Certificate"), el("th", {}, "By completing"))),
      el(
        "tbody",
        {},
        ...history.map((h) =>
          el(
            "tr",
            { className: h.is_latest ? "latest" : "earlier" },
            el("td", {}, h.certification_name, h.record.renewal ? el("span", { className: "badge" }, "renewal") : null, h.is_latest ? null : el("span", { className: "badge muted" }, "earlier")),
            el("td", {}, formatDate(h.record.earned_on)),
            el("td", {}, h.record.expires_on ? formatDate(h.record.expires_on) : "never"),
            el("td", {}, h.record.certificate_number ?? ""),
            el("td", {}, h.completions.join("; ")),
          ),
        ),
      ),
    ),
  );
  section.id = "certification-history-card";
  return section;
}
