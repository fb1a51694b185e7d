// A course's offerings: each running of it (its dates, room, seats, waitlist, sessions and
// teachers), past, running and upcoming, and a new one for the next term.
import { office, records, type CachedEvent, type CourseDetail, type CourseOffering, type Facility, type OfferingSummary } from "../api";
import { card, el, field, form, formatDate, input, number, select, text } from "../dom";
import type { Screen } from "../main";

const PHASE: Record<OfferingSummary["phase"], string> = { upcoming: "Upcoming", running: "Running", past: "Past" };

export async function offeringsCard(detail: CourseDetail, screen: Screen): Promise<HTMLElement> {
  const lines = await office.courseOfferings(detail.course.id);
  const table = el(
    "table",
    { id: "offerings" },
    el("thead", {}, el("tr", {}, el("th", {}, "Offering"), el("th", {}, "When"), el("th", {}, "Where"), el("th", {}, "Seats"), el("th", {}, "Sessions"), el("th", {}, "Teachers"))),
    el(
      "tbody",
      {},
      ...lines.map((line) => {
        const o = line.offering;
        const row = el(
          "tr",
          { className: `offering-${line.phase}` },
          el("td", {}, el("strong", {}, o.name), " ", el("span", { className: line.phase === "past" ? "badge muted" : "badge" }, PHASE[line.phase])),
          el("td", {}, [dates(o.starts_on, o.ends_on), o.schedule].filter(Boolean).join(" · ")),
          el("td", {}, [line.room, line.campus].filter(Boolean).join(", ")),
          el("td", {}, seatsText(line)),
          el("td", {}, String(line.sessions)),
          el("td", {}, line.teachers.join(", ")),
        );
        row.dataset.offering = o.name;
        return row;
      }),
    ),
  );
  if (screen.can("courses.write")) {
    const signups = await office.planningCenterSignups().catch(() => []);
    const rooms = await records.list("facility", { order_by: "name", limit: 500 });
    for (const row of table.querySelectorAll<HTMLTableRowElement>("tbody tr")) {
      const line = lines.find((l) => l.offering.name === row.dataset.offering);
      if (!line) continue;
      const edit = el("button", { type: "button", className: "secondary small" }, "Edit");
      const forms: HTMLElement[] = [offeringForm(line.offering, rooms.items, signups, screen)];
      // The first offering keeps the course's history; the store refuses it as well.
      if (line.offering.id !== detail.course.id) forms.push(cancelForm(line.offering, screen));
      const editor = el("tr", { className: "offering-editor", hidden: true }, el("td", { colSpan: 6 }, ...forms));
      editor.dataset.offering = line.offering.name;
      edit.addEventListener("click", () => (editor.hidden = !editor.hidden));
      row.firstElementChild?.append(" ", edit);
      row.after(editor);
    }
  }
  const section = card("Offerings", el("p", { className: "muted" }, "Each running of this course has its own dates, room, seats and waitlist, sessions and teachers. A person may retake the course in a later offering."), table);
  section.id = "offerings-card";
  if (screen.can("courses.write")) section.append(await newOfferingForm(detail, screen));
  return section;
}

function dates(starts: string | null, ends: string | null): string {
  if (!starts && !ends) return "No dates set";
  if (starts && ends) return `${formatDate(starts)} – ${formatDate(ends)}`;
  return starts ? `From ${formatDate(starts)}` : `Until ${formatDate(ends)}`;
}

function seatsText(line: OfferingSummary): string {
  const { max_capacity } = line.offering;
  const taken = max_capacity === null ? `${line.registered} enrolled` : `${line.registered} of ${max_capacity}`;
  return [taken, line.waitlisted ? `${line.waitlisted} waiting` : null, line.completed ? `${line.completed} completed` : null].filter(Boolean).join(" · ");
}

/// Changing an offering: its name, dates, when it meets, room, seats, and the Planning Center
/// signup whose registrations enroll people in it.
function offeringForm(offering: CourseOffering, rooms: Facility[], signups: CachedEvent[], screen: Screen): HTMLElement {
  const name = input({ value: offering.name });
  const starts = input({ type: "date", value: offering.starts_on ?? "" });
  const ends = input({ type: "date", value: offering.ends_on ?? "" });
  const schedule = input({ value: offering.schedule ?? "" });
  const room = select([{ value: "", label: "None yet" }, ...rooms.filter((r) => r.is_active).map((r) => ({ value: r.id, label: r.name }))]);
  room.value = offering.facility_id ?? "";
  const capacity = input({ type: "number", placeholder: "No limit", value: offering.max_capacity?.toString() ?? "" });
  const signup = select([{ value: "", label: "Not mapped" }, ...signups.map((e) => ({ value: e.planning_center_event_id, label: e.event_name }))]);
  signup.value = offering.planning_center_event_id ?? "";
  return form({ className: "subform offering-form" }, [el("div", { className: "row" }, field("Name", "name", name), field("Starts", "starts_on", starts), field("Ends", "ends_on", ends)), el("div", { className: "row" }, field("Meets", "schedule", schedule), field("Room", "facility_id", room), field("Seats", "max_capacity", capacity)), field("Planning Center signup", "planning_center_event_id", signup), el("button", { type: "submit" }, "Save")], async () => {
    const chosen = signups.find((e) => e.planning_center_event_id === signup.value);
    await records.update("course_offering", {
      ...offering,
      name: name.value,
      starts_on: starts.value || null,
      ends_on: ends.value || null,
      schedule: text(schedule.value),
      facility_id: room.value || null,
      max_capacity: number(capacity.value),
      planning_center_event_id: chosen?.planning_center_event_id ?? null,
      planning_center_event_name: chosen?.event_name ?? null,
    });
    screen.refresh();
  });
}

/// Cancelling an offering nobody joined (the store refuses one with people, sessions or
/// teachers, and says which).
function cancelForm(offering: CourseOffering, screen: Screen): HTMLElement {
  return form({ className: "subform offering-cancel" }, [el("p", { className: "muted" }, "An offering nobody has joined can be cancelled; it leaves the list, and its history stays in the audit log."), el("button", { type: "submit", className: "secondary" }, "Cancel this offering")], async () => {
    await records.deactivate("course_offering", offering.id);
    screen.refresh();
  });
}

async function newOfferingForm(detail: CourseDetail, screen: Screen): Promise<HTMLElement> {
  const rooms = await records.list("facility", { order_by: "name", limit: 500 });
  const name = input({ placeholder: "Autumn 2026" });
  const starts = input({ type: "date" });
  const ends = input({ type: "date" });
  const schedule = input({ placeholder: "Tuesdays 7 pm" });
  const room = select([{ value: "", label: "None yet" }, ...rooms.items.filter((r) => r.is_active).map((r) => ({ value: r.id, label: r.name }))]);
  const capacity = input({ type: "number", placeholder: "No limit" });
  const roomCampus = new Map(rooms.items.map((r) => [r.id, r.campus_id]));
  return el(
    "details",
    {},
    el("summary", {}, "New offering"),
    form({ id: "new-offering", className: "subform" }, [field("Name", "name", name), el("div", { className: "row" }, field("Starts", "starts_on", starts), field("Ends", "ends_on", ends), field("Meets", "schedule", schedule)), el("div", { className: "row" }, field("Room", "facility_id", room), field("Seats", "max_capacity", capacity)), el("button", { type: "submit" }, "Add offering")], async () => {
      await records.create("course_offering", {
        course_id: detail.course.id,
        name: name.value,
        starts_on: starts.value || null,
        ends_on: ends.value || null,
        schedule: text(schedule.value),
        facility_id: room.value || null,
        campus_id: (room.value && roomCampus.get(room.value)) || detail.course.campus_id,
        max_capacity: number(capacity.value),
        planning_center_event_id: null,
        planning_center_event_name: null,
      });
      screen.refresh();
    }),
  );
}

/// A choice of the course's offerings for a form; `none` is the label of leaving it to the
/// store (the next offering for an enrollment, the first for a session or role).
export function offeringSelect(detail: CourseDetail, none: string): HTMLSelectElement {
  const active = detail.offerings.filter((o) => o.is_active);
  return select([{ value: "", label: none }, ...active.map((o) => ({ value: o.id, label: o.starts_on ? `${o.name} (from ${formatDate(o.starts_on)})` : o.name }))]);
}

export function offeringName(detail: CourseDetail, offeringId: string | null): string {
  return detail.offerings.find((o) => o.id === (offeringId ?? detail.course.id))?.name ?? "";
}
