// The check-in station: starting it (administrators), and the station itself — families found as
// you type, check-in and check-out, labels on screen or printed, visitors, and the Sunday
// readiness panel. The lock is in Rust: while kiosk mode is on, every other command refuses.
import { hasCode, kiosk, records, type CheckInResult, type Family, type KioskView, type LabelLayout, type PrinterChoice, type Readiness, type StationPrinters } from "../api";
import { el, errorText, field, form, formatTime, input, select } from "../dom";
import { inputError } from "../errors";
import { keystroke } from "../timing";
import type { Screen } from "../main";
import { pickupCard, staffApprovalForm } from "./pickup";
import { drawLabel } from "../label-drawing";

export async function renderStartKiosk(view: HTMLElement, screen: Screen) {
  const [campuses, sessions] = await Promise.all([records.list("campus", { order_by: "name" }), records.list("class_session", { order_by: "starts_at", descending: true, limit: 200 })]);
  const campus = select(campuses.items.map((c) => ({ value: c.id, label: c.name })));
  const choices = el(
    "div",
    { className: "session-choices", id: "kiosk-sessions" },
    ...sessions.items.map((s) => el("label", { className: "check" }, el("input", { type: "checkbox", value: s.id }), ` ${s.title} · ${formatTime(s.starts_at)}`)),
  );
  const slot = el("span", { className: "field-error", role: "alert" });
  slot.dataset.errorFor = "session_ids";
  const station = input({ maxLength: 1, placeholder: "A", value: "A" });
  const pin = input({ type: "password", inputMode: "numeric", autocomplete: "new-password" });
  const pinAgain = input({ type: "password", inputMode: "numeric", autocomplete: "new-password" });
  const understood = el("input", { type: "checkbox", id: "kiosk-understood" });
  const selfService = el("input", { type: "checkbox", id: "kiosk-self" });
  const printer = printerChooser(await kiosk.printers());
  view.replaceChildren(
    form(
      { id: "start-kiosk", className: "card" },
      [
        el("h2", {}, "Make this laptop a check-in station"),
        el("p", { className: "muted" }, "Until the PIN is entered, this laptop only checks people in and out of the sessions you choose, with a volunteer's view (staff-only notes stay hidden). It works without a network. Give each station its own letter: security codes start with it, so two laptops never hand out the same code. In a team, a letter another computer already uses is refused."),
        field("Campus", "campus_id", campus),
        el("div", { className: "field" }, el("span", {}, "Sessions"), choices, slot),
        el("div", { className: "row" }, field("Station letter", "station", station), field("PIN (4 to 8 digits)", "pin", pin), field("PIN again", "pin_again", pinAgain)),
        el("label", { className: "check" }, selfService, " Self check-in: families find themselves by the last 4 digits of their phone or their family card, and see nobody else"),
        printer.element,
        el("label", { className: "check" }, understood, " I understand this laptop will do only check-in until the PIN is entered."),
        el("button", { type: "submit" }, "Start check-in station"),
      ],
      async () => {
        if (!understood.checked) throw inputError("Tick the box to confirm.");
        const session_ids = [...choices.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
        await kiosk.start({ campus_id: campus.value, session_ids, station: station.value.trim().toUpperCase(), pin: pin.value, pin_again: pinAgain.value, self_check_in: selfService.checked, printer: printer.choice() });
        screen.refresh();
      },
    ),
  );
}

/// The label printer, chosen when the station starts: none (labels on screen, printed through the
/// system dialog), one of this computer's printers, or a label printer on the network (ZPL). The
/// last station's choice is offered again.
function printerChooser(offered: StationPrinters): { element: HTMLElement; choice: () => PrinterChoice | undefined } {
  const remembered = offered.remembered;
  const kind = select([
    { value: "none", label: "None: labels show on screen" },
    { value: "queue", label: "A printer of this computer" },
    { value: "network", label: "A label printer on the network (Zebra, ZPL)" },
  ], { id: "kiosk-printer-kind" });
  kind.value = remembered ? remembered.connection.kind : "none";
  const queue = select(offered.printers.map((p) => ({ value: p.name, label: `${p.name}${p.is_default ? " (default)" : ""} · ${p.state}` })), { id: "kiosk-printer-queue" });
  if (remembered?.connection.kind === "queue") queue.value = remembered.connection.name;
  const host = input({ id: "kiosk-printer-host", placeholder: "192.168.1.40", value: remembered?.connection.kind === "network" ? remembered.connection.host : "" });
  const port = input({ id: "kiosk-printer-port", inputMode: "numeric", value: remembered?.connection.kind === "network" ? String(remembered.connection.port) : "9100" });
  const size = select(offered.sizes.map((s) => ({ value: s.size, label: s.name })), { id: "kiosk-label-size" });
  if (remembered) size.value = remembered.size;
  const queueRow = el("div", { className: "row" }, field("Printer", "name", queue));
  const networkRow = el("div", { className: "row" }, field("Printer address", "host", host), field("Port", "port", port));
  const sizeRow = el("div", { className: "row" }, field("Label size", "size", size));
  const show = () => {
    queueRow.hidden = kind.value !== "queue";
    networkRow.hidden = kind.value !== "network";
    sizeRow.hidden = kind.value === "none";
  };
  kind.addEventListener("change", show);
  show();
  const element = el("fieldset", { className: "printer-choice" }, el("legend", {}, "Label printer"), field("Print labels on", "printer", kind), queueRow, networkRow, sizeRow);
  const choice = (): PrinterChoice | undefined => {
    const labelSize = size.value as PrinterChoice["size"];
    if (kind.value === "queue") return { connection: { kind: "queue", name: queue.value }, size: labelSize };
    if (kind.value === "network") return { connection: { kind: "network", host: host.value.trim(), port: Number(port.value) || 0 }, size: labelSize };
    return undefined;
  };
  return { element, choice };
}

export async function renderKiosk(app: HTMLElement, done: () => void) {
  const station = await kiosk.status();
  if (!station) return done();
  let session = station.sessions[0];
  const sessionPicker = select(station.sessions.map((s) => ({ value: s.id, label: s.title })), { id: "kiosk-session" });
  sessionPicker.addEventListener("change", () => {
    session = station.sessions.find((s) => s.id === sessionPicker.value) ?? session;
    void search();
  });
  const readiness = el("section", { className: "card readiness", id: "readiness" });
  const box = el("input", { type: "search", id: "kiosk-search", placeholder: "Type a name or the last 4 digits of a phone", autocomplete: "off" });
  const results = el("div", { id: "kiosk-results" });
  const labels = el("section", { id: "kiosk-labels" });
  // A station with a label printer prints every check-in's labels itself, without a dialog.
  if (station.printer) labels.dataset.printsItself = "yes";
  let latest = 0;
  const search = async () => {
    const mine = ++latest;
    const shown = keystroke("station-search");
    const text = box.value.trim();
    if (!text) return results.replaceChildren();
    try {
      const { families, complete } = await kiosk.search(text, session.id);
      if (mine !== latest) return;
      const hint = !complete ? el("p", { className: "warning" }, "Many people match: keep typing (a last name, or the last 4 digits of a phone).") : families.length ? null : el("p", { className: "muted" }, "No one found. Add them as a visitor below.");
      results.replaceChildren(...(hint ? [hint] : []), ...families.map((f) => familyCard(f, session.id, labels, search)));
      shown();
    } catch (error) {
      results.replaceChildren(el("p", { className: "error" }, errorText(error)));
    }
  };
  if (station.self_check_in) {
    // Self check-in: nothing is shown as you type (four digits typed halfway would list other
    // families); the family sees only itself, after Enter or a card's scan.
    box.placeholder = "Last 4 digits of your phone, or scan your family card";
    box.type = "text";
    box.inputMode = "numeric";
    const find = async () => {
      labels.replaceChildren();
      const text = box.value.trim();
      if (!text) return results.replaceChildren();
      try {
        const { families } = await kiosk.findFamily(text, session.id);
        box.value = "";
        results.replaceChildren(...families.map((f) => familyCard(f, session.id, labels, async () => results.replaceChildren())));
        // The next family should not see this one.
        window.setTimeout(() => results.replaceChildren(), SELF_FAMILY_SHOWN_MS);
      } catch (error) {
        results.replaceChildren(el("p", { className: "error", role: "alert" }, errorText(error)));
      }
    };
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") void find();
    });
  } else {
    box.addEventListener("input", () => {
      // A new family at the station: the last family's labels (and their code) leave the screen.
      labels.replaceChildren();
      void search();
    });
  }
  app.replaceChildren(
    el("div", { className: "kiosk" }, kioskHeader(station, sessionPicker), pickupCard(() => session.id, search), el("section", { className: "card" }, box, results), labels, readiness, station.self_check_in ? null : visitorCard(labels, () => session.id), leaveCard(done)),
  );
  await fillReadiness(readiness, station);
  // Labels just went to the queue: the panel soon says whether the printer took them.
  labels.addEventListener(LABELS_QUEUED, () => window.setTimeout(() => void fillReadiness(readiness, station), PRINT_NOW_LOOK_MS));
  // The panel follows the background syncs: the roster, the changes waiting, the letter's check.
  const refresh = setInterval(async () => {
    if (!readiness.isConnected) return clearInterval(refresh);
    const now = await kiosk.status().catch(() => null);
    if (now) await fillReadiness(readiness, now);
  }, READINESS_REFRESH_MS);
  box.focus();
}

const READINESS_REFRESH_MS = 30_000;
/// How long a family found at a self check-in station stays on screen.
const SELF_FAMILY_SHOWN_MS = 60_000;

/// The countdown timers of each readiness panel, stopped when it is filled again.
const countdownTimers = new WeakMap<HTMLElement, number[]>();

function kioskHeader(station: KioskView, sessionPicker: HTMLSelectElement): HTMLElement {
  return el("section", { className: "card kiosk-head" }, el("h2", {}, `Check-in · ${station.campus.name} · station ${station.station}`), station.sessions.length > 1 ? field("Session", "class_session_id", sessionPicker) : el("p", { className: "muted" }, station.sessions[0]?.title ?? ""));
}

async function fillReadiness(panel: HTMLElement, station: KioskView) {
  let ready: Readiness;
  try {
    ready = await kiosk.readiness();
  } catch (error) {
    panel.replaceChildren(el("p", { className: "error" }, errorText(error)));
    return;
  }
  for (const timer of countdownTimers.get(panel) ?? []) clearInterval(timer);
  const timers: number[] = [];
  countdownTimers.set(panel, timers);
  const countdowns = ready.sessions.map((s) => {
    const line = el("li", {});
    const tick = () => {
      const minutes = Math.round((new Date(s.session.starts_at).getTime() - Date.now()) / 60_000);
      line.textContent = `${s.session.title}: ${minutes > 0 ? `starts in ${minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`}` : "started"} · ${s.checked_in} checked in`;
    };
    tick();
    timers.push(window.setInterval(tick, 30_000));
    return line;
  });
  const refresh = () => void fillReadiness(panel, station);
  const printerTest = el("button", { type: "button", className: "secondary small", id: "printer-test" }, "Printer test");
  const printerSaid = el("span", { id: "printer-answer", role: "status" });
  printerTest.addEventListener("click", async () => {
    printerSaid.textContent = ready.printer ? "Printing a test label…" : "";
    try {
      const tested = await kiosk.printerTest();
      // Without a label printer the test label goes through the system dialog, like every label.
      if (tested.answer) printerSaid.textContent = tested.answer.message;
      else printLabels([tested.layout]);
    } catch (error) {
      printerSaid.textContent = errorText(error);
    }
  });
  const labelsLine = ready.printer
    ? el("li", { id: "print-queue" }, el("span", {}, `Labels print on ${ready.printer}`), el("span", {}, queueSummary(ready), " ", printNowButton(ready, refresh), printerTest, " ", printerSaid))
    : el("li", {}, el("span", {}, "Labels"), el("span", {}, "shown on screen; ", printerTest));
  panel.replaceChildren(
    el("h3", {}, "Sunday readiness"),
    el(
      "ul",
      { className: "list" },
      el("li", {}, el("span", {}, "Roster last refreshed"), el("span", {}, ready.last_roster_refresh ? formatTime(ready.last_roster_refresh) : "never synced: using what was entered here")),
      el("li", {}, el("span", {}, "Changes waiting to sync"), el("span", {}, ready.pending_changes.toString())),
      labelsLine,
      letterLine(station),
    ),
    queueList(ready, refresh, panel.querySelector<HTMLDetailsElement>("#print-jobs")?.open ?? false) ?? "",
    el("ul", { className: "list" }, ...countdowns),
  );
}

/// Today's labels at this station, the latest first. A label still waiting can be cancelled (the
/// family has gone home); one that printed is printed again from the family's card, with the
/// code on their tag, so the queue never holds a code that lets a stranger collect a child.
function queueList(ready: Readiness, refresh: () => void, wasOpen: boolean): HTMLElement | null {
  const queue = ready.print_queue;
  if (!queue || queue.jobs.length === 0) return null;
  const rows = queue.jobs.map((job) => {
    const said = {
      printed: `printed ${formatClock(job.printed_at)}`,
      cancelled: "cancelled",
      waiting: job.last_error ? `waiting, tried ${job.attempts}×: ${job.last_error}` : "waiting",
    }[job.state] ?? job.state;
    const row = el("li", { className: `print-job ${job.state}` }, el("span", {}, `${formatClock(job.made_at)} · ${job.description}`), el("span", {}, said));
    if (job.state === "waiting") {
      const cancel = el("button", { type: "button", className: "secondary small cancel-print" }, "Cancel");
      cancel.addEventListener("click", async () => {
        cancel.disabled = true;
        try {
          await kiosk.cancelPrint(job.id);
          refresh();
        } catch (error) {
          row.append(el("span", { className: "error-text" }, errorText(error)));
        }
      });
      row.lastElementChild?.append(" ", cancel);
    }
    return row;
  });
  return el(
    "details",
    { id: "print-jobs", open: wasOpen || queue.waiting > 0 },
    el("summary", {}, `Labels today (${queue.jobs.length})`),
    el("ul", { className: "list" }, ...rows),
    el("p", { className: "muted" }, "To print a family's labels again, find them above and choose Reprint: it asks for their tag's code, or a staff member."),
  );
}

/// "9:41": the queue is today's, so the time is enough.
function formatClock(value: string | null): string {
  return value ? new Date(value).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) : "";
}

/// "Printer not answering: 3 labels waiting", or that every label printed.
function queueSummary(ready: Readiness): string {
  const queue = ready.print_queue;
  if (!queue) return "";
  if (queue.waiting === 0) return `every label printed (${queue.jobs.filter((j) => j.state === "printed").length} today).`;
  const waiting = `${queue.waiting} label${queue.waiting === 1 ? "" : "s"} waiting`;
  return queue.last_error ? `${queue.last_error} — ${waiting}.` : `${waiting}, printing now.`;
}

/// How long after *Print now* the panel looks again: long enough for a printer that answers.
const PRINT_NOW_LOOK_MS = 3_000;

function printNowButton(ready: Readiness, refresh: () => void): HTMLElement | null {
  if (!ready.print_queue || ready.print_queue.waiting === 0) return null;
  const button = el("button", { type: "button", className: "secondary small", id: "print-now" }, "Print now");
  button.addEventListener("click", async () => {
    button.disabled = true;
    await kiosk.printNow();
    window.setTimeout(refresh, PRINT_NOW_LOOK_MS);
  });
  return button;
}

/// Whether this station's security codes are known to be its own: another laptop starting codes
/// with the same letter could hand a second family the same code.
function letterLine(station: KioskView): HTMLElement {
  const { letter_check: check, letter_holder: holder } = station;
  const said = {
    held_by_this_laptop: "this laptop's own in the team",
    not_confirmed: "not yet checked with the team (no connection); checked at the next team sync",
    taken_by_another: `also used by ${holder ?? "another computer"}: codes may clash. Ask an administrator to restart this station with another letter`,
    no_team: "not in a team: make sure no other station uses it",
  }[check];
  return el("li", { className: check === "taken_by_another" ? "letter-clash" : "", id: "station-letter" }, el("span", {}, `Station letter ${station.station}`), el("span", {}, said));
}

function familyCard(family: Family, sessionId: string, labels: HTMLElement, refresh: () => Promise<void>): HTMLElement {
  const boxes: [HTMLInputElement, string][] = [];
  const decision = el("div", { className: "decision" });
  const members = family.members.map((m) => {
    const presence = m.presence;
    const row = el("div", { className: "member" });
    const name = `${m.person.nickname ?? m.person.first_name} ${m.person.last_name}${m.is_child ? " (child)" : ""}`;
    if (presence?.checked_in_at && !presence.checked_out_at) {
      // Never the code: anyone passing can read this screen.
      row.append(el("span", { className: "in" }, `✓ ${name} · checked in`));
      if (m.is_child) {
        const reprint = el("button", { type: "button", className: "secondary small" }, "Reprint");
        reprint.addEventListener("click", () => decision.replaceChildren(reprintForm(sessionId, m.person.id, labels)));
        const release = el("button", { type: "button", className: "secondary small" }, "Release without tag (staff)");
        release.addEventListener("click", () =>
          decision.replaceChildren(
            staffApprovalForm("staff-release-untagged", `Release ${name} without the tag`, "Staff only: the family has lost the guardian tag. Say why; it is audited and on the day's report.", async (approval) => {
              await kiosk.staffRelease(sessionId, [m.person.id], null, approval);
              await refresh();
            }),
          ),
        );
        row.append(reprint, release);
      } else {
        const out = el("button", { type: "button", className: "secondary small" }, "Check out");
        out.addEventListener("click", async () => {
          await kiosk.checkOut(sessionId, m.person.id).catch((error) => alert(errorText(error)));
          await refresh();
        });
        row.append(out);
      }
    } else if (presence?.checked_out_at) {
      row.append(el("span", { className: "muted" }, `${name} · left`));
    } else {
      const box = el("input", { type: "checkbox", checked: true });
      boxes.push([box, m.person.id]);
      row.append(el("label", { className: "check" }, box, ` ${name}`));
    }
    for (const need of m.special_requirements) row.append(el("span", { className: `alert severity-${need.severity}` }, `${need.requirement_type}: ${need.details}`));
    return row;
  });
  const checkIn = async (button: HTMLButtonElement, serving: boolean) => {
    const ids = boxes.filter(([b]) => b.checked).map(([, id]) => id);
    if (!ids.length) return;
    button.disabled = true;
    try {
      showLabels(labels, await kiosk.checkIn(sessionId, ids, null, serving));
      await refresh();
    } catch (error) {
      button.disabled = false;
      if (!hasCode(error, "room_full")) return alert(errorText(error));
      decision.replaceChildren(
        el("p", { className: "warning", role: "alert" }, errorText(error)),
        staffApprovalForm("staff-capacity", "Let them in anyway", "Staff only: the room is at its capacity.", async (approval) => {
          showLabels(labels, await kiosk.checkIn(sessionId, ids, approval, serving));
          await refresh();
        }),
      );
    }
  };
  const button = el("button", { type: "button", className: "check-in" }, "Check in");
  button.disabled = boxes.length === 0;
  button.addEventListener("click", () => void checkIn(button, false));
  // Teachers and volunteers check in too: they count toward the room's ratio, and the session's
  // certification is checked for them.
  const serve = el("button", { type: "button", className: "secondary serve" }, "Check in to serve");
  serve.disabled = boxes.length === 0;
  serve.addEventListener("click", () => void checkIn(serve, true));
  return el("div", { className: "family card" }, el("h3", {}, family.name), ...members, el("div", { className: "actions" }, button, serve), decision);
}

/// A reprint needs the guardian tag the family holds, or a staff member.
function reprintForm(sessionId: string, peopleId: string, labels: HTMLElement): HTMLElement {
  const code = input({ id: "reprint-code", autocomplete: "off", placeholder: "Code on the guardian tag" });
  return el(
    "div",
    { className: "reprint" },
    form({ id: "reprint-with-code" }, [el("div", { className: "row" }, field("Guardian tag code", "code", code), el("button", { type: "submit", className: "secondary" }, "Reprint labels"))], async () => {
      const result = await kiosk.reprint(sessionId, peopleId, code.value);
      code.value = "";
      showLabels(labels, result);
    }),
    staffApprovalForm("reprint-by-staff", "No tag?", "Staff may reprint without it. Say why.", async (approval) => showLabels(labels, await kiosk.reprint(sessionId, peopleId, null, approval))),
  );
}

/// Sent by the labels' section when a check-in's labels went to the station's print queue.
const LABELS_QUEUED = "labels-queued";

/// How long labels (and the code on them) stay on the station's screen when nobody prints.
const LABELS_SHOWN_MS = 90_000;

function showLabels(section: HTMLElement, result: CheckInResult) {
  const clear = () => section.replaceChildren();
  const print = el("button", { type: "button", className: "secondary", id: "print-labels" }, "Print labels");
  print.addEventListener("click", () => {
    printLabels(result.layouts);
    // Printed: the code now lives on the family's tag, not on this screen.
    clear();
  });
  const done = el("button", { type: "button", className: "secondary", id: "labels-done" }, "Done");
  done.addEventListener("click", clear);
  section.replaceChildren(
    el(
      "div",
      { className: "card labels" },
      el("h3", {}, "Labels"),
      ...result.warnings.map((w) => el("p", { className: "warning", role: "alert" }, w)),
      result.already_checked_in.length ? el("p", { className: "muted" }, `Already checked in: ${result.already_checked_in.join(", ")}`) : null,
      el("div", { className: "label-row" }, ...result.layouts.map(labelFigure)),
      section.dataset.printsItself ? el("p", { className: "muted", id: "labels-sent" }, "Sent to the label printer: the readiness panel shows the queue.") : null,
      el("div", { className: "actions" }, section.dataset.printsItself ? null : print, done),
    ),
  );
  if (section.dataset.printsItself && result.layouts.length) section.dispatchEvent(new Event(LABELS_QUEUED));
  // The labels are what the volunteer needs next, wherever the family's card was.
  section.scrollIntoView({ block: "center" });
  const shown = section.firstElementChild;
  window.setTimeout(() => {
    if (section.firstElementChild === shown) clear();
  }, LABELS_SHOWN_MS);
}

/// A label as it prints, and what had to be shortened to fit it (never silently).
function labelFigure(layout: LabelLayout): HTMLElement {
  const kind = layout.items.some((item) => item.kind === "code128") ? "guardian" : layout.items.some((item) => item.kind === "qr") ? "child" : "name-tag";
  const shortened = layout.shortened.length ? el("figcaption", { className: "warning" }, `Shortened to fit the label: ${layout.shortened.join(", ")}`) : null;
  return el("figure", { className: `label ${kind}` }, drawLabel(layout), shortened);
}

function printLabels(layouts: LabelLayout[]) {
  const sheet = el("div", { className: "print-sheet" }, ...layouts.map(drawLabel));
  document.body.append(sheet);
  document.body.classList.add("printing");
  window.print();
  document.body.classList.remove("printing");
  sheet.remove();
}

function visitorCard(labels: HTMLElement, sessionId: () => string): HTMLElement {
  const first = input();
  const last = input();
  const phone = input({ type: "tel" });
  const born = input({ type: "date" });
  const candidates = el("div", { id: "visitor-candidates" });
  let confirmedNew = false;
  const node = form({ id: "add-visitor" }, [el("div", { className: "row" }, field("First name", "first_name", first), field("Last name", "last_name", last), field("Phone", "phone", phone), field("Date of birth", "date_of_birth", born)), candidates, el("button", { type: "submit" }, "Add and check in")], async () => {
    const outcome = await kiosk.addVisitor({ first_name: first.value, last_name: last.value, phone: phone.value || null, email: null, date_of_birth: born.value || null, household_id: null, confirmed_new: confirmedNew });
    if (outcome.outcome === "possible_duplicates") {
      confirmedNew = true;
      candidates.replaceChildren(el("p", { className: "warning" }, "Already here? Search for them above instead. If this is someone new, press the button again."), el("ul", { className: "list" }, ...outcome.candidates.map((p) => el("li", {}, `${p.first_name} ${p.last_name}`, el("span", { className: "muted" }, p.phone ?? p.household_name ?? "")))));
      return;
    }
    confirmedNew = false;
    candidates.replaceChildren();
    showLabels(labels, await kiosk.checkIn(sessionId(), [outcome.person.id]));
    for (const i of [first, last, phone, born]) i.value = "";
  });
  return el("details", { className: "card" }, el("summary", {}, "Add a visitor"), node);
}

function leaveCard(done: () => void): HTMLElement {
  const pin = input({ type: "password", inputMode: "numeric", autocomplete: "off" });
  return el(
    "details",
    { className: "card", id: "leave-kiosk" },
    el("summary", {}, "Leave kiosk mode (administrator)"),
    form({}, [field("Station PIN", "pin", pin), el("button", { type: "submit", className: "secondary" }, "Leave kiosk mode")], async () => {
      await kiosk.leave(pin.value);
      done();
    }),
  );
}
