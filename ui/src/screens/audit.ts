// The audit trail: every change, newest first, searchable by record and by person.
import { office, type AuditComputer, type AuditEntry, type AuditQuery, type JsonValue } from "../api";
import { card, el, errorText, field, formatTime, input, select } from "../dom";
import type { Screen } from "../main";
import { personPicker } from "../person-picker";

const TABLES = ["people", "household", "people_campus", "people_role", "special_requirement", "course", "course_prerequisite", "content", "course_module", "course_role", "class_session", "course_enrollment", "content_completion", "attendance_record", "certification", "certification_course", "certification_progress", "campus", "role", "church_setting", "office_setting"];
const PAGE = 100;

export async function renderAudit(view: HTMLElement, _screen: Screen, params: URLSearchParams) {
  const table = select([{ value: "", label: "Any record type" }, ...TABLES.map((t) => ({ value: t, label: t.replace(/_/g, " ") }))]);
  table.value = params.get("table") ?? "";
  const record = input({ value: params.get("record") ?? "", placeholder: "A record's id" });
  const aboutPerson = params.get("person");
  // Every computer of the team adds to the church's one audit trail.
  const computers = await office.auditComputers().catch(() => []);
  const computer = select([{ value: "", label: "Any computer" }, ...computers.map((c) => ({ value: c.device_id, label: computerName(c) }))]);
  computer.value = params.get("computer") ?? "";
  const picker = personPicker("about_person", "About a person", () => void load(true));
  const list = el("ol", { className: "audit", id: "audit-entries" });
  const more = el("div", { className: "actions" });
  let query: Partial<AuditQuery> = {};
  let offset = 0;

  const load = async (fresh: boolean) => {
    if (fresh) {
      offset = 0;
      list.replaceChildren();
      query = { table_name: table.value || null, record_id: record.value.trim() || null, about_person: picker.value() ?? aboutPerson ?? null, device_id: computer.value || null };
    }
    try {
      const entries = await office.auditLog({ ...query, limit: PAGE, offset });
      list.append(...entries.map(entryItem));
      offset += entries.length;
      more.replaceChildren();
      if (offset === 0) more.append(el("span", { className: "muted" }, "No changes match."));
      if (entries.length === PAGE) {
        const next = el("button", { type: "button", className: "secondary" }, "Older changes");
        next.addEventListener("click", () => void load(false));
        more.append(next);
      }
    } catch (error) {
      more.replaceChildren(el("span", { className: "error" }, errorText(error)));
    }
  };
  table.addEventListener("change", () => void load(true));
  record.addEventListener("change", () => void load(true));
  computer.addEventListener("change", () => void load(true));
  const filters = el("div", { className: "row filters" }, field("Record type", "table_name", table), field("Record", "record_id", record), field("Computer", "device_id", computer), picker.element);
  const heading = aboutPerson ? el("p", { className: "muted" }, "Showing changes about one person. ", el("a", { href: "#/audit" }, "Show everything")) : null;
  view.replaceChildren(card("Audit log", el("p", { className: "muted" }, "Every change, on this computer and on every other computer of the church's team: who, where, when, what changed, and why."), heading, filters, list, more));
  await load(true);
}

function entryItem(entry: AuditEntry): HTMLElement {
  const who = entry.changed_by_name ?? (entry.changed_by ? "someone" : "the app (demo, sync or a rule)");
  const verb = { insert: "created", update: "changed", delete: "retired" }[entry.action] ?? entry.action;
  const changes = el("dl", { className: "changes" });
  const oldValues = (entry.old_values ?? {}) as Record<string, JsonValue>;
  const newValues = (entry.new_values ?? {}) as Record<string, JsonValue>;
  for (const key of Object.keys(newValues)) {
    if (["id", "created_at", "updated_at", "created_by", "updated_by"].includes(key)) continue;
    const before = entry.action === "insert" ? "" : `${show(oldValues[key])} → `;
    changes.append(el("dt", {}, key.replace(/_/g, " ")), el("dd", {}, `${before}${show(newValues[key])}`));
  }
  return el(
    "li",
    { className: `audit-${entry.action}` },
    el("div", { className: "audit-head" }, el("strong", {}, `${who} ${verb} ${entry.table_name.replace(/_/g, " ")}`), el("span", { className: "muted computer" }, entry.on_this_computer ? "on this computer" : `on ${entry.device_name ?? "another computer"}`), el("span", { className: "muted" }, formatTime(entry.changed_at))),
    entry.reason ? el("p", { className: "reason" }, `Reason: ${entry.reason}`) : null,
    el("details", {}, el("summary", {}, `${Object.keys(newValues).length} field${Object.keys(newValues).length === 1 ? "" : "s"} · record ${entry.record_id}`), changes),
  );
}

function computerName(computer: AuditComputer): string {
  const name = computer.device_name ?? "Unnamed computer";
  return computer.on_this_computer ? `${name} (this computer)` : name;
}

function show(value: JsonValue | undefined): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
