// Campuses (with rooms), roles with what each may do, and the office's rules.
import { office, records } from "../api";
import { card, el, field, form, formatTime, input, number } from "../dom";
import type { ChurchSetting } from "../bindings";
import type { Screen } from "../main";

export async function renderOrganization(view: HTMLElement, screen: Screen) {
  const [campuses, rooms] = await Promise.all([records.list("campus", { order_by: "name" }), records.list("facility", { order_by: "name", limit: 1000 })]);
  const campusList = el(
    "ul",
    { className: "list", id: "campuses" },
    ...campuses.items.map((c) => {
      const theirs = rooms.items.filter((r) => r.campus_id === c.id);
      return el("li", {}, el("span", {}, el("strong", {}, c.name), el("br"), el("span", { className: "muted" }, [c.address, c.time_zone].filter(Boolean).join(" · "))), el("span", { className: "muted" }, theirs.length ? theirs.map((r) => `${r.name}${r.capacity ? ` (${r.capacity})` : ""}`).join(", ") : "no rooms yet"));
    }),
  );
  const section = card("Campuses", campusList);
  view.replaceChildren(section);
  if (screen.can("campuses.write")) {
    const name = input();
    const address = input();
    const zone = input({ value: Intl.DateTimeFormat().resolvedOptions().timeZone });
    const roomName = input();
    const capacity = input({ type: "number", min: "0" });
    const campus = el("select", {}, ...campuses.items.map((c) => el("option", { value: c.id }, c.name)));
    section.append(
      el("details", {}, el("summary", {}, "Add a campus"), form({ id: "new-campus" }, [field("Name", "name", name), field("Address", "address", address), field("Time zone", "time_zone", zone), el("button", { type: "submit" }, "Add campus")], async () => {
        await records.create("campus", { name: name.value, address: address.value.trim() || null, time_zone: zone.value });
        screen.refresh();
      })),
      el("details", {}, el("summary", {}, "Add a room"), form({ id: "new-room" }, [el("div", { className: "row" }, field("Campus", "campus_id", campus), field("Room", "name", roomName), field("Seats", "capacity", capacity)), el("button", { type: "submit" }, "Add room")], async () => {
        await records.create("facility", { campus_id: campus.value, name: roomName.value, capacity: number(capacity.value) });
        screen.refresh();
      })),
    );
  }
  if (screen.can("roles.read")) {
    const roles = await records.list("role", { order_by: "name" });
    view.append(
      card(
        "Roles",
        el("p", { className: "muted" }, "What each role may do. Give people roles from their page; every command checks them in Rust."),
        el("ul", { className: "list", id: "roles" }, ...roles.items.map((r) => el("li", {}, el("span", {}, el("strong", {}, r.name), el("br"), el("span", { className: "muted" }, r.description ?? "")), el("span", { className: "muted permissions" }, r.permissions.join(", "))))),
      ),
    );
  }
  view.append(await officeRulesCard(screen));
}

/// The thresholds the rules read: when an enrollment is flagged for absences (a course may set
/// its own) and when a certification counts as expiring soon.
async function officeRulesCard(screen: Screen): Promise<HTMLElement> {
  const [rules, settings] = await Promise.all([office.rules(), office.churchSettings()]);
  const absences = input({ type: "number", value: rules.absence_warning_threshold.toString() });
  const days = input({ type: "number", value: rules.expiring_soon_days.toString() });
  const idle = input({ type: "number", value: rules.idle_lock_minutes.toString() });
  const refuse = el("input", { type: "checkbox", id: "refuse-uncertified", checked: rules.refuse_uncertified_serving });
  absences.disabled = days.disabled = idle.disabled = refuse.disabled = !screen.can("settings.manage");
  const saved = el("p", { className: "muted", role: "status" });
  // Who set each rule, and on which computer: the team's last writer wins, so the office can
  // see whose value stands.
  const provenance = new Map<string, HTMLElement>();
  const describe = (all: ChurchSetting[], key: string) => {
    const setting = all.find((s) => s.key === key);
    if (!setting) return "Not set: the app's default";
    const where = setting.set_on_computer ? ` on ${setting.set_on_computer}` : "";
    return `Set by ${setting.updated_by_name ?? "the app"}${where}, ${formatTime(setting.updated_at)}`;
  };
  const setBy = (key: string) => {
    const span = el("span", { className: "muted set-by", id: `set-by-${key}` }, describe(settings, key));
    provenance.set(key, span);
    return span;
  };
  const fields = [
    el("div", { className: "row" }, el("div", {}, field("Flag an enrollment after this many absences", "absence_warning_threshold", absences), setBy("absence_warning_threshold")), el("div", {}, field("Certifications expiring soon: days before", "expiring_soon_days", days), setBy("certification_expiring_soon_days")), el("div", {}, field("Lock the window after this many minutes without use", "idle_lock_minutes", idle), setBy("idle_lock_minutes"))),
    el("label", { className: "check" }, refuse, " Refuse (rather than warn) someone serving in a session without the certification it asks for"),
    setBy("refuse_uncertified_serving"),
  ];
  const rulesForm = form({ id: "office-rules" }, screen.can("settings.manage") ? [...fields, el("button", { type: "submit" }, "Save"), saved] : fields, async () => {
    const kept = await office.setRules({ absence_warning_threshold: Number(absences.value), expiring_soon_days: Number(days.value), idle_lock_minutes: Number(idle.value), refuse_uncertified_serving: refuse.checked });
    saved.textContent = `Saved: flag after ${kept.absence_warning_threshold} absences; expiring soon within ${kept.expiring_soon_days} days; lock after ${kept.idle_lock_minutes} minutes.`;
    const fresh = await office.churchSettings();
    provenance.forEach((span, key) => (span.textContent = describe(fresh, key)));
  });
  return card("Office rules", el("p", { className: "muted" }, "The church's rules: in a team, every computer uses the same ones, and the last one saved wins. A course may set its own absence threshold on its page."), rulesForm);
}
