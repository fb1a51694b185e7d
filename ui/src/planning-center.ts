// The Planning Center card: sign in, sync with progress, and what needs a person's attention.
// Every rule (permissions, demo mode, matching) is enforced in Rust; this only shows it.
import { listen } from "@tauri-apps/api/event";
import { hasCode, pco, type PlanningCenterStatus, type SyncProgress } from "./api";
import { el, errorText } from "./dom";
import { errorField } from "./errors";

const PHASES: Record<SyncProgress["phase"], string> = {
  idle: "Finishing",
  pull_people: "Bringing in people",
  push: "Sending changes",
  reference_data: "Households, campuses and fields",
  registrations: "Registrations",
  reconcile: "Checking for people removed in Planning Center",
};

/// The outcome of the last sync, shown until the next one (the dashboard re-renders after it).
let lastOutcome: { text: string; failed: boolean } | null = null;

/// `changed` re-renders whatever shows data a sync or sign-in can change (the whole dashboard).
export async function renderPlanningCenter(card: HTMLElement, changed: () => void): Promise<void> {
  let status: PlanningCenterStatus;
  try {
    status = await pco.status();
  } catch (error) {
    if (hasCode(error, "permission_denied")) return card.remove();
    card.replaceChildren(el("h2", {}, "Planning Center"), el("p", { className: "error", textContent: errorText(error) }));
    return;
  }
  const refresh = () => renderPlanningCenter(card, changed);
  const title = el("h2", {}, "Planning Center");
  if (status.demo_mode) {
    card.replaceChildren(title, el("p", { className: "muted" }, "The demo church is never sent to Planning Center. To connect your church, start the app with an empty database and set up your office."));
    return;
  }
  if (!status.sign_in) {
    const problem = [status.keychain_problem, lastOutcome?.failed ? lastOutcome.text : null].filter((m): m is string => !!m).map((m) => el("p", { className: "error" }, m));
    lastOutcome = null;
    card.replaceChildren(title, ...problem, el("p", { className: "muted" }, `Not connected. Everything works offline; connect to keep people and course progress in step with ${status.base_url}.`), signInForms(changed));
    return;
  }
  const how = status.sign_in.kind === "oauth" ? "signed in with your Planning Center account" : `personal access token ${status.sign_in.app_id}`;
  const progress = el("div", { id: "sync-progress" });
  const report = el("p", { id: "sync-report", className: lastOutcome?.failed ? "error" : "muted" }, lastOutcome?.text ?? "");
  const syncButton = el("button", { type: "button", id: "sync-now" }, "Sync now");
  const cancel = el("button", { type: "button", id: "cancel-sync", className: "secondary", hidden: true }, "Cancel");
  const signOut = el("button", { type: "button", id: "sign-out", className: "secondary" }, "Sign out");
  syncButton.addEventListener("click", async () => {
    syncButton.disabled = true;
    cancel.hidden = false;
    report.textContent = "";
    const stop = await listen<SyncProgress>("sync-progress", ({ payload }) => {
      const share = payload.total ? Math.min(100, Math.round((payload.done / payload.total) * 100)) : null;
      const bar = el("span");
      // CSSOM, not a style attribute: the CSP allows no inline styles.
      if (share !== null) bar.style.width = `${share}%`;
      progress.replaceChildren(
        el("p", { className: "muted" }, `${PHASES[payload.phase]}${payload.total ? `: ${payload.done} of ${payload.total}` : payload.done ? `: ${payload.done}` : "…"}`),
        el("div", { className: share === null ? "progress" : "progress determinate" }, bar),
      );
    });
    try {
      const result = await pco.syncNow();
      const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      lastOutcome = {
        text: `Synced: ${count(result.pulled_people, "person", "people")} brought in, ${count(result.pushed, "change", "changes")} sent${result.merged_people ? `, ${count(result.merged_people, "merge", "merges")} from Planning Center applied` : ""}${result.renewal_cards ? `, ${count(result.renewal_cards, "renewal card", "renewal cards")} made` : ""}${result.push_failures ? `, ${result.push_failures} need attention` : ""}.`,
        failed: false,
      };
    } catch (error) {
      lastOutcome = { text: errorText(error), failed: true };
    } finally {
      stop();
      changed();
    }
  });
  cancel.addEventListener("click", () => pco.cancelSync());
  signOut.addEventListener("click", async () => {
    await pco.signOut().catch((error) => (lastOutcome = { text: errorText(error), failed: true }));
    changed();
  });
  const last = status.recent_runs.find((run) => run.completed_at);
  card.replaceChildren(
    title,
    el("p", { className: "muted" }, `Connected to ${status.base_url}, ${how}. ${status.pending_changes} change${status.pending_changes === 1 ? "" : "s"} waiting to be sent.${last ? ` Last sync ${new Date(last.completed_at!).toLocaleString()}.` : ""}`),
    el("div", { className: "actions" }, syncButton, cancel, signOut),
    progress,
    report,
    fieldMappings(status, refresh),
    duplicates(status, refresh),
    merges(status),
    webhookEvents(status),
    webhooks(),
    problems(status),
    conflicts(status),
  );
}

/// Where course completions and certification status go in Planning Center.
function fieldMappings(status: PlanningCenterStatus, refresh: () => void): HTMLElement {
  if (status.field_definitions.length === 0 && status.workflows.length === 0) return el("div");
  const picker = (label: string, target: "completions" | "certifications" | "completions_workflow" | "renewals_workflow", current: string | null, choices: { id: string; name: string }[] = status.field_definitions) => {
    const select = el("select", { name: `${target}_field` });
    select.append(el("option", { value: "" }, "Not sent"), ...choices.map((f) => el("option", { value: f.id, selected: f.id === current }, f.name)));
    const feedback = el("span", { className: "field-error" });
    select.addEventListener("change", () => pco.mapField(target, select.value || null).then(refresh, (e) => (feedback.textContent = errorText(e))));
    return el("label", { className: "field" }, el("span", {}, label), select, feedback);
  };
  return el(
    "section",
    { id: "field-mappings" },
    el("h3", {}, "What goes to Planning Center"),
    picker("Course completions go to the custom field", "completions", status.completions_field),
    picker("Certifications go to the custom field", "certifications", status.certifications_field),
    picker("Each completed course makes a card on the workflow", "completions_workflow", status.completions_workflow, status.workflows),
    picker("Each certification due for renewal makes a card on the workflow", "renewals_workflow", status.renewals_workflow, status.workflows),
  );
}

function field(label: string, input: HTMLInputElement): HTMLElement {
  return el("label", { className: "field" }, el("span", {}, label), input, el("span", { className: "field-error", role: "alert" }));
}

function showError(form: HTMLElement, error: unknown) {
  form.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
  const general = form.querySelector<HTMLElement>(".form-error")!;
  general.textContent = "";
  const name = errorField(error);
  const target = name ? form.querySelector<HTMLInputElement>(`[name="${CSS.escape(name)}"]`) : null;
  const slot = target?.parentElement?.querySelector<HTMLElement>(".field-error");
  if (slot) slot.textContent = errorText(error);
  else general.textContent = errorText(error);
}

function signInForms(done: () => void): HTMLElement {
  const browser = el("button", { type: "button", id: "sign-in-browser" }, "Sign in with Planning Center");
  const browserForm = el("div", {}, browser, el("p", { className: "form-error error" }));
  browser.addEventListener("click", async () => {
    browser.disabled = true;
    browser.textContent = "Finish signing in in your browser…";
    try {
      await pco.signInWithBrowser();
      done();
    } catch (error) {
      showError(browserForm, error);
      browser.disabled = false;
      browser.textContent = "Sign in with Planning Center";
    }
  });
  const appId = el("input", { name: "app_id", autocomplete: "off" });
  const secret = el("input", { name: "secret", type: "password", autocomplete: "off" });
  const save = el("button", { type: "submit" }, "Use this token");
  const tokenForm = el(
    "form",
    { className: "token-form" },
    el("p", { className: "muted" }, "For a single church: a personal access token made at api.planningcenteronline.com. The secret is kept in this computer's keychain."),
    field("Application ID", appId),
    field("Secret", secret),
    save,
    el("p", { className: "form-error error" }),
  );
  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await pco.signInWithToken(appId.value, secret.value);
      done();
    } catch (error) {
      showError(tokenForm, error);
    } finally {
      save.disabled = false;
    }
  });
  return el("div", { className: "sign-in" }, browserForm, el("details", {}, el("summary", {}, "Use a personal access token instead"), tokenForm));
}

function duplicates(status: PlanningCenterStatus, refresh: () => void): HTMLElement {
  if (status.possible_duplicates.length === 0) return el("div");
  return el(
    "section",
    { id: "possible-duplicates" },
    el("h3", {}, "Possibly already in Planning Center"),
    ...status.possible_duplicates.map((dup) => {
      const other = el("button", { type: "button", className: "secondary" }, "Someone else: add them");
      other.addEventListener("click", () => pco.resolveDuplicate(dup.id, { decision: "create_new" }).then(refresh, (e) => alert(errorText(e))));
      return el(
        "div",
        { className: "duplicate" },
        el("p", {}, `${dup.person_name ?? "Someone added here"} may already be in Planning Center:`),
        ...dup.candidates.map((candidate) => {
          const same = el("button", { type: "button" }, `Same person as ${candidate.name}`);
          same.addEventListener("click", () => pco.resolveDuplicate(dup.id, { decision: "link", planning_center_id: candidate.planning_center_id }).then(refresh, (e) => alert(errorText(e))));
          return el("div", { className: "actions" }, el("span", { className: "muted candidate" }, `${candidate.name} (${candidate.reason}${candidate.email ? `, ${candidate.email}` : ""})`), same);
        }),
        el("div", { className: "actions" }, other),
      );
    }),
  );
}

/// Merges made in Planning Center: whose records moved here, so the office is not surprised
/// that a person's history now sits on another record.
function merges(status: PlanningCenterStatus): HTMLElement {
  const shown = status.recent_merges.filter((m) => m.outcome !== "nothing_here");
  if (shown.length === 0) return el("div");
  const describe = (m: (typeof shown)[number]) =>
    m.outcome === "relinked"
      ? `${m.kept_name ?? "A person"} now stands for the person kept in Planning Center`
      : `${m.removed_name ?? "A person"} merged into ${m.kept_name ?? "another person"}: ${m.moved} record${m.moved === 1 ? "" : "s"} moved, ${m.folded} folded into one`;
  return el(
    "section",
    { id: "recent-merges" },
    el("h3", {}, "Merged in Planning Center"),
    el("ul", { className: "list" }, ...shown.map((m) => el("li", {}, el("span", {}, describe(m)), el("span", { className: "muted" }, new Date(m.applied_at).toLocaleString())))),
  );
}

/// What Planning Center's webhooks brought lately, and any that could not be handled.
function webhookEvents(status: PlanningCenterStatus): HTMLElement {
  if (status.recent_webhook_events.length === 0) return el("div");
  const state = (e: (typeof status.recent_webhook_events)[number]) => (!e.processed ? "waiting for the next team sync" : e.error_message ? `not handled: ${e.error_message}` : "handled");
  return el(
    "section",
    { id: "webhook-events" },
    el("h3", {}, "Webhook events"),
    el("ul", { className: "list" }, ...status.recent_webhook_events.map((e) => el("li", {}, el("span", {}, `${e.event_type.replace("people.v2.events.", "")}${e.planning_center_id ? ` (Planning Center ${e.planning_center_id})` : ""}: ${state(e)}`), el("span", { className: "muted" }, new Date(e.created_at).toLocaleString())))),
  );
}

/// Subscribing the church's webhook receiver (run beside the team hub; see the README). The
/// secrets go to the file named, for the receiver; they are never shown here.
function webhooks(): HTMLElement {
  const url = el("input", { name: "receiver_url", type: "url", placeholder: "https://hub.example.org/planning-center/webhooks" });
  const file = el("input", { name: "secrets_file", placeholder: "/etc/cct-webhooks/secrets" });
  const outcome = el("p", { className: "muted", id: "webhooks-outcome" });
  const form = el("form", { id: "webhooks-form" }, field("Receiver's public address", url), field("Write the secrets to", file), el("div", { className: "actions" }, el("button", { type: "submit" }, "Subscribe")), el("p", { className: "form-error error" }), outcome);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    outcome.textContent = "";
    try {
      const done = await pco.subscribeWebhooks(url.value, file.value);
      outcome.textContent = `Subscribed ${done.receiver_url}: ${done.created.length} made, ${done.already_subscribed.length} already there. Give ${done.secrets_file} to the receiver and restart it.`;
      form.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
    } catch (error) {
      showError(form, error);
    }
  });
  return el(
    "section",
    { id: "webhooks" },
    el("details", {}, el("summary", {}, "Webhooks (with a team hub)"), el("p", { className: "muted" }, "Planning Center tells the receiver beside your team hub of each change at once; computers act on it at their next team sync. Without a receiver, every sync still polls for changes."), form),
  );
}

function problems(status: PlanningCenterStatus): HTMLElement {
  const shown = status.problems.filter((p) => p.status !== "held");
  if (shown.length === 0) return el("div");
  return el(
    "section",
    { id: "sync-problems" },
    el("h3", {}, "Not sent to Planning Center"),
    el("ul", { className: "list" }, ...shown.map((p) => el("li", {}, el("span", {}, `${p.table_name.replace("_", " ")}: ${p.status}`), el("span", { className: "muted" }, p.last_error ?? "")))),
  );
}

function conflicts(status: PlanningCenterStatus): HTMLElement {
  if (status.conflicts.length === 0) return el("div");
  return el(
    "section",
    { id: "sync-conflicts" },
    el("h3", {}, "Recent conflicts"),
    el("p", { className: "muted" }, "Fields changed both here and in Planning Center. The newer change was kept; both values are listed."),
    el(
      "ul",
      { className: "list" },
      ...status.conflicts.map((c) =>
        el("li", {}, el("span", {}, `${c.field.replace(/_/g, " ")}: here “${c.local_value ?? ""}”, Planning Center “${c.remote_value ?? ""}”`), el("span", { className: "muted" }, `${c.resolution.replace(/_/g, " ")} · ${new Date(c.detected_at).toLocaleString()}`)),
      ),
    ),
  );
}
