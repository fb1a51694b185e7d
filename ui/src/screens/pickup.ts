// Checked pickup at the station: the guardian tag's code opens the children it releases, with
// who may and who must not collect each one. Staff decide what a code cannot: a lost tag, a
// full room, a collector on the not-authorized list. Every rule is in Rust; this only asks.
import { hasCode, kiosk, type Collector, type Pickup, type PickupChild, type StaffApproval } from "../api";
import { el, errorText, field, form, input } from "../dom";

/// A staff member signs in at the station for one decision: e-mail, password and the reason.
export function staffApprovalForm(id: string, title: string, explain: string, act: (approval: StaffApproval) => Promise<void>): HTMLFormElement {
  const email = input({ type: "email", autocomplete: "off" });
  const password = input({ type: "password", autocomplete: "off" });
  const reason = input({ autocomplete: "off" });
  return form({ id, className: "staff-approval" }, [el("strong", {}, title), el("p", { className: "muted" }, explain), el("div", { className: "row" }, field("Staff e-mail", "email", email), field("Password", "password", password)), field("Reason", "reason", reason), el("button", { type: "submit", className: "secondary" }, "Approve as staff")], async () => {
    await act({ email: email.value, password: password.value, reason: reason.value });
    password.value = "";
  });
}

/// The pickup card: type or scan the tag's code, choose who leaves and who collects them.
export function pickupCard(sessionId: () => string, afterRelease: () => Promise<void>): HTMLElement {
  const code = input({ id: "pickup-code", autocomplete: "off", placeholder: "Code on the guardian tag", spellcheck: false });
  const found = el("div", { id: "pickup-found" });
  const lookUp = form({ id: "pickup-form" }, [el("div", { className: "row" }, field("Guardian tag code", "code", code), el("button", { type: "submit" }, "Find children"))], async () => {
    const pickup = await kiosk.pickup(code.value);
    // The code is the family's: the field is cleared as soon as it did its work.
    const typed = code.value;
    code.value = "";
    found.replaceChildren(releaseForm(typed, pickup, sessionId, async () => {
      found.replaceChildren(el("p", { className: "released", id: "pickup-done" }, "Released. Have a good week!"));
      await afterRelease();
    }));
  });
  return el("section", { className: "card pickup", id: "pickup" }, el("h3", {}, "Pick up children"), lookUp, found);
}

function releaseForm(code: string, pickup: Pickup, sessionId: () => string, done: () => Promise<void>): HTMLElement {
  const boxes: [HTMLInputElement, PickupChild][] = [];
  const rows = pickup.children.map((child) => {
    const box = el("input", { type: "checkbox", checked: !child.checked_out, disabled: child.checked_out });
    boxes.push([box, child]);
    return el(
      "div",
      { className: "member" },
      el("label", { className: "check" }, box, ` ${child.name}`),
      el("span", { className: "muted" }, child.checked_out ? "already picked up" : child.session),
      child.must_not_collect.length ? el("div", { className: "do-not-release", role: "alert" }, el("strong", {}, "Must NOT collect: "), child.must_not_collect.map((p) => `${p.name}${p.relationship ? ` (${p.relationship})` : ""}${p.note ? ` — ${p.note}` : ""}`).join("; ")) : null,
      el("span", { className: "may-collect" }, `May collect: ${child.may_collect.map((p) => p.name).join(", ") || "nobody listed: check with staff"}`),
    );
  });
  const everyone = new Map<string, Collector>();
  for (const child of pickup.children) for (const p of child.may_collect) everyone.set(p.people_id ?? p.name, { people_id: p.people_id, name: p.name });
  const who = el("select", { id: "collected-by" }, ...[...everyone.entries()].map(([key, p]) => el("option", { value: key }, p.name)), el("option", { value: "" }, "Someone else…"));
  const other = input({ id: "collected-by-other", placeholder: "Their name", autocomplete: "off" });
  const collector = (): Collector | null => (who.value ? everyone.get(who.value) ?? null : other.value.trim() ? { people_id: null, name: other.value.trim() } : null);
  const chosen = () => boxes.filter(([b]) => b.checked).map(([, c]) => c);
  const staff = el("div", { id: "pickup-staff" });
  const node = form({ id: "release-form" }, [...rows, el("div", { className: "row" }, field("Collected by", "collected_by", who), field("Or", "collected_by_other", other)), el("button", { type: "submit", id: "release" }, "Release")], async () => {
    const children = chosen();
    if (!children.length) return;
    try {
      await kiosk.release(code, children.map((c) => c.people_id), collector());
      await done();
    } catch (error) {
      if (!hasCode(error, "pickup_not_authorized")) throw error;
      // Not something a volunteer decides: the alert stays on screen until staff act.
      staff.replaceChildren(
        el("p", { className: "do-not-release", role: "alert" }, errorText(error)),
        staffApprovalForm("staff-release", "Staff decision", "Only staff may release a child to someone on the not-authorized list. Say why.", async (approval) => {
          await kiosk.staffRelease(children[0]?.class_session_id ?? sessionId(), children.map((c) => c.people_id), collector(), approval);
          await done();
        }),
      );
    }
  });
  return el("div", {}, node, staff);
}
