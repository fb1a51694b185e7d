// Team sync: several computers of one church share their data through a PostgreSQL hub. Here
// an administrator creates the team or joins it, makes join codes for new devices, sees each
// device's last contact and what it still has to send or fetch, and removes a lost laptop.
import { listen } from "@tauri-apps/api/event";
import { records, team, type CompactionStatus, type ExchangeProgress, type ExchangeReport, type TeamDevice, type TeamStatus } from "../api";
import { card, el, errorText, field, form, formatTime, input, progressBar, select } from "../dom";
import type { Screen } from "../main";

const HUB_HELP =
  "The hub is a PostgreSQL database your church runs or rents (postgres://user@host:5432/database, and its password). The password is kept in this computer's keychain, never in the app's database. A hub on another machine must use an encrypted connection (sslmode=require or verify-full; verify-full is used when none is given).";

export async function renderTeam(view: HTMLElement, screen: Screen) {
  const status = await team.status();
  if (!status.membership.hub_url) {
    view.replaceChildren(
      card("Team sync", el("p", { className: "muted" }, "Share this church's data with its other computers: the office computers of each campus and the classroom laptops. Every computer keeps working offline and catches up when it can reach the hub."), el("p", { className: "muted" }, HUB_HELP)),
      createCard(screen),
      joinCard(() => screen.refresh()),
    );
    return;
  }
  const waiting = waitingCard(status);
  const folds = foldsCard(status);
  let devices = await devicesCard(status, screen);
  view.replaceChildren(thisDeviceCard(status, screen), devices, await compactionCard(), await joinCodeCard(), ...(waiting ? [waiting] : []), ...(folds ? [folds] : []), leaveCard(screen));
  // Other devices come and go while the page is open: their list follows the hub.
  const timer = setInterval(async () => {
    if (!devices.isConnected) return clearInterval(timer);
    const fresh = await devicesCard(await team.status(), screen).catch(() => null);
    if (fresh && devices.isConnected) {
      devices.replaceWith(fresh);
      devices = fresh;
    }
  }, DEVICE_LIST_REFRESH_MS);
}

const DEVICE_LIST_REFRESH_MS = 10_000;

function createCard(screen: Screen): HTMLElement {
  const address = input({ placeholder: "postgres://office@db.example.org:5432/church" });
  const password = input({ type: "password", autocomplete: "new-password" });
  const church = input({ placeholder: "Grace Church" });
  const device = input({ value: "Office" });
  const progress = el("div", { id: "team-create-progress" });
  return card(
    "Create your church's team",
    el("p", { className: "muted" }, "On the office computer that holds your data, once. Everything on this computer is sent to the hub for the devices that join later."),
    form({ id: "create-team" }, [field("Hub address", "hub_address", address), field("Hub password", "hub_password", password), field("Church name", "church_name", church), field("This computer's name", "device_name", device), progress, el("button", { type: "submit" }, "Create the team")], async () => {
      await withProgress(progress, () => team.create(address.value, password.value, church.value, device.value));
      screen.refresh();
    }),
  );
}

export function joinCard(onJoined: () => void): HTMLElement {
  const address = input({ placeholder: "postgres://office@db.example.org:5432/church" });
  const password = input({ type: "password", autocomplete: "new-password" });
  const code = input({ placeholder: "ABCD-EFGH-JKLM", autocapitalize: "characters" });
  const device = input({ placeholder: "Room 101 laptop" });
  const progress = el("div", { id: "team-join-progress" });
  return card(
    "Join your church's team",
    el("p", { className: "muted" }, "With a join code an administrator made on the Team page of a computer already in the team. The church's data is then brought to this computer."),
    form({ id: "join-team" }, [field("Hub address", "hub_address", address), field("Hub owner's password (only for a hub an earlier release set up; not kept)", "hub_password", password), field("Join code", "join_code", code), field("This computer's name", "device_name", device), progress, el("button", { type: "submit" }, "Join")], async () => {
      await withProgress(progress, () => team.join(address.value, password.value, code.value, device.value));
      onJoined();
    }),
  );
}

/// Runs a sync-like call with a progress bar fed by `team-progress` events.
async function withProgress(slot: HTMLElement, work: () => Promise<ExchangeReport>): Promise<ExchangeReport> {
  const label = el("span", { className: "muted" }, "Connecting to the hub…");
  slot.replaceChildren(label);
  const stop = await listen<ExchangeProgress>("team-progress", ({ payload }) => {
    const percent = payload.total > 0 ? (100 * payload.done) / payload.total : 100;
    slot.replaceChildren(progressBar(percent), el("span", { className: "muted" }, ` ${progressText(payload)}`));
  });
  try {
    const report = await work();
    slot.replaceChildren(el("p", { className: "success" }, summary(report)));
    return report;
  } catch (error) {
    slot.replaceChildren();
    throw error;
  } finally {
    stop();
  }
}

function progressText(progress: ExchangeProgress): string {
  if (progress.phase === "compact") return "Asking the hub to compact its history…";
  const counted = `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()}`;
  if (progress.phase === "snapshot") return `Fetching the church's snapshot: ${counted} changes`;
  return `${progress.phase.endsWith("push") ? "Sending" : "Fetching"} ${counted} ${progress.phase.startsWith("audit") ? "audit entries" : "changes"}`;
}

function summary(report: ExchangeReport): string {
  const parts = [`${report.pushed.toLocaleString()} sent`, `${report.pulled.toLocaleString()} received`];
  if (report.waiting > 0) parts.push(`${report.waiting.toLocaleString()} waiting (see below)`);
  if (report.folded > 0) parts.push(`${report.folded.toLocaleString()} duplicate record${report.folded === 1 ? "" : "s"} folded (see below)`);
  if (report.webhook_events > 0) parts.push(`${report.webhook_events.toLocaleString()} Planning Center webhook events`);
  if (report.made_snapshot) parts.push("the hub made a new snapshot");
  if (report.pruned > 0) parts.push(`${report.pruned.toLocaleString()} old changes pruned from the hub`);
  return `Synced: ${parts.join(", ")}.`;
}

function thisDeviceCard(status: TeamStatus, screen: Screen): HTMLElement {
  const me = status.membership;
  const result = el("div", { id: "team-sync-result" });
  const syncButton = el("button", { type: "button", id: "team-sync-now" }, "Sync now");
  syncButton.addEventListener("click", async () => {
    syncButton.disabled = true;
    try {
      await withProgress(result, () => team.syncNow());
      setTimeout(() => screen.refresh(), 1200);
    } catch (error) {
      result.replaceChildren(el("p", { className: "error" }, errorText(error)));
    } finally {
      syncButton.disabled = false;
    }
  });
  return card(
    `This computer: ${me.device_name}`,
    el(
      "dl",
      { className: "facts", id: "team-this-device" },
      el("dt", {}, "Hub"), el("dd", {}, me.hub_url ?? ""),
      el("dt", {}, "Holds"), el("dd", {}, me.campus_scope ? "One campus's roster (a campus laptop)" : "The whole church"),
      el("dt", {}, "Last sent"), el("dd", {}, formatTime(me.last_push_at) || "never"),
      el("dt", {}, "Last fetched"), el("dd", {}, formatTime(me.last_pull_at) || "never"),
      el("dt", {}, "Waiting to send"), el("dd", { id: "team-unsent" }, `${status.unsent_changes.toLocaleString()} change${status.unsent_changes === 1 ? "" : "s"}`),
    ),
    me.last_error ? el("p", { className: "error", id: "team-last-error" }, `Last sync failed: ${me.last_error}`) : null,
    el("p", { className: "muted" }, "Syncs by itself every minute while the hub can be reached."),
    el("div", { className: "actions" }, syncButton),
    result,
  );
}

// The hub keeps a snapshot of the church and prunes the log before it; shown so an office
// can see the hub does not grow without end, and what a new computer starts from.
async function compactionCard(): Promise<HTMLElement> {
  let status: CompactionStatus;
  try {
    status = await team.compaction();
  } catch (error) {
    return card("The hub's history", el("p", { className: "error" }, `The hub could not be asked: ${errorText(error)}.`));
  }
  const snapshot = status.snapshot;
  const lines = [
    el("p", {}, `The hub holds ${status.log_changes.toLocaleString()} change${status.log_changes === 1 ? "" : "s"} in its log.`),
    snapshot
      ? el("p", { id: "team-snapshot" }, `Latest snapshot: ${formatTime(snapshot.made_at)}, made during ${snapshot.made_by}'s sync in ${(snapshot.took_ms / 1000).toFixed(1)} s. It stands for ${snapshot.changes_before.toLocaleString()} changes and keeps ${snapshot.changes_kept.toLocaleString()}: for each record, the latest value of each detail. A computer that joins now starts from it.`)
      : el("p", { id: "team-snapshot", className: "muted" }, "No snapshot yet: the hub makes one at most hourly, once its log has grown by 10,000 changes."),
    el("p", { className: "muted" }, status.pruned_changes > 0 ? `Compaction has removed ${status.pruned_changes.toLocaleString()} changes that every active computer had fetched and the snapshot covers.` : "Nothing has been pruned yet: changes stay until every active computer has fetched them and a snapshot covers them."),
  ];
  return card("The hub's history", el("div", { id: "team-history" }, ...lines));
}

async function devicesCard(status: TeamStatus, screen: Screen): Promise<HTMLElement> {
  let devices: TeamDevice[];
  try {
    devices = await team.devices();
  } catch (error) {
    return card("Devices", el("p", { className: "error" }, `The hub could not be asked: ${errorText(error)}. This computer keeps working and sends its changes when the hub is back.`));
  }
  const rows = devices.map((d) => {
    const isMe = d.device_id === status.membership.device_id;
    const remove = el("button", { type: "button", className: "secondary danger" }, "Remove");
    remove.addEventListener("click", async () => {
      if (!confirm(`Remove ${d.name} from the team? It will no longer send or receive anything; what it already sent stays.`)) return;
      try {
        await team.removeDevice(d.device_id);
        screen.refresh();
      } catch (error) {
        alert(errorText(error));
      }
    });
    return el(
      "tr",
      { className: d.removed_at ? "removed" : "" },
      el("td", {}, d.name, isMe ? el("span", { className: "muted" }, " (this computer)") : null),
      el("td", {}, d.campus_scope ? "One campus" : "Whole church"),
      el("td", {}, formatTime(d.last_contact_at) || "never"),
      el("td", {}, d.unsent_changes.toLocaleString()),
      el("td", {}, d.changes_to_pull.toLocaleString()),
      el("td", {}, d.removed_at ? `Removed ${formatTime(d.removed_at)}` : isMe ? "" : remove),
    );
  });
  return card(
    "Devices",
    el(
      "table",
      { id: "team-devices" },
      el("thead", {}, el("tr", {}, ...["Name", "Holds", "Last contact", "Waiting to send", "Waiting to fetch", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows),
    ),
  );
}

async function joinCodeCard(): Promise<HTMLElement> {
  const campuses = (await records.list("campus", { limit: 200 })).items;
  const scope = select([{ value: "", label: "The whole church (an office computer)" }, ...campuses.map((c) => ({ value: c.id, label: `Only ${c.name}'s roster (a campus laptop)` }))]);
  const hours = select([{ value: "24", label: "24 hours" }, { value: "2", label: "2 hours" }, { value: "168", label: "A week" }]);
  const mayAdd = el("input", { type: "checkbox", id: "join-code-may-add" });
  const shown = el("div", { id: "join-code" });
  return card(
    "Add a device",
    el("p", { className: "muted" }, "Make a join code and type it on the new computer, with the hub address. Each code works once. The new computer gets a hub login of its own, and only an administrators' computer can add or remove devices. A new, empty computer that joins with it is used as you until someone else signs in there."),
    form({ id: "make-join-code" }, [field("It will hold", "campus_id", scope), field("The code works for", "valid_hours", hours), el("label", { className: "check" }, mayAdd, " An administrators' computer: it may add and remove devices too"), el("button", { type: "submit" }, "Make a join code")], async () => {
      const code = await team.makeJoinCode(scope.value || null, Number(hours.value), mayAdd.checked);
      shown.replaceChildren(el("p", {}, "Join code:"), el("p", { className: "join-code" }, code));
    }),
    shown,
  );
}

function waitingCard(status: TeamStatus): HTMLElement | null {
  if (status.waiting.length === 0) return null;
  return card(
    "Changes that could not be applied",
    el("p", { className: "muted" }, "These came from other devices but refer to something this computer does not have yet, or break one of its rules. They are tried again after every sync."),
    el(
      "table",
      { id: "team-waiting" },
      el("thead", {}, el("tr", {}, ...["Record", "Why", "Tries"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...status.waiting.map((w) => el("tr", {}, el("td", {}, `${w.table_name.replace(/_/g, " ")} ${w.record_id.slice(0, 8)}`), el("td", {}, w.reason), el("td", {}, String(w.attempts))))),
    ),
  );
}

/// The end of an id: ids made in the same moment share their beginning (it is the time).
function shortId(id: string): string {
  return `…${id.slice(-8)}`;
}

function foldsCard(status: TeamStatus): HTMLElement | null {
  if (status.folds_total === 0) return null;
  const shown = status.folds.length < status.folds_total ? ` The latest ${status.folds.length} of ${status.folds_total.toLocaleString()}:` : "";
  return card(
    "Duplicates folded",
    el("p", { className: "muted" }, `Records that two computers made separately for the same thing (the same person enrolled in the same offering, or checked in to the same session) are folded into one on every computer: the earlier record is kept, each detail takes its latest value, and what referred to the other now refers to it.${shown}`),
    el(
      "table",
      { id: "team-folds" },
      el("thead", {}, el("tr", {}, ...["Record", "Kept", "Folded into it", "When"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...status.folds.map((f) => el("tr", {}, el("td", {}, f.table_name.replace(/_/g, " ")), el("td", { title: f.kept_id }, shortId(f.kept_id)), el("td", { title: f.folded_id }, shortId(f.folded_id)), el("td", {}, formatTime(f.folded_at))))),
    ),
  );
}

function leaveCard(screen: Screen): HTMLElement {
  const button = el("button", { type: "button", className: "secondary danger", id: "leave-team" }, "Leave the team on this computer");
  button.addEventListener("click", async () => {
    if (!confirm("Stop syncing this computer with the team? Its data stays here, and anything not yet sent is sent if it joins again.")) return;
    try {
      await team.leave();
      screen.refresh();
    } catch (error) {
      alert(errorText(error));
    }
  });
  return card("Leave", button);
}
