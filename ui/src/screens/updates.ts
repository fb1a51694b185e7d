// About and updates: the version, where updates come from, and — only when the person agrees —
// download (with progress), install and restart. Signatures are checked in Rust.
import { listen } from "@tauri-apps/api/event";
import { updates, type UpdateInfo, type UpdateProgress } from "../api";
import { card, el, errorText, field, form, formatTime, input } from "../dom";
import type { Screen } from "../main";
import { backupsCard } from "./backups";

export async function renderUpdates(view: HTMLElement, screen: Screen) {
  const status = await updates.status();
  const admin = screen.can("settings.manage");
  const result = el("div", { id: "update-result" });
  const checkButton = el("button", { type: "button", id: "check-updates" }, "Check for updates");
  checkButton.addEventListener("click", async () => {
    checkButton.disabled = true;
    result.replaceChildren(el("p", { className: "muted" }, "Checking…"));
    try {
      const found = await updates.check();
      showAvailable(result, found, admin);
    } catch (error) {
      result.replaceChildren(el("p", { className: "error" }, errorText(error)));
    } finally {
      checkButton.disabled = false;
    }
  });
  view.replaceChildren(
    card(
      "About and updates",
      el("p", {}, `Church Course Tracker ${status.current_version}`),
      el("p", { className: "muted" }, status.last_checked_at ? `Last checked ${formatTime(status.last_checked_at)}. The app checks at most once a day when it starts, and never installs anything without asking.` : "Not checked yet. The app checks at most once a day when it starts, and never installs anything without asking."),
      el("div", { className: "actions" }, checkButton),
      result,
    ),
  );
  if (status.available) showAvailable(result, status.available, admin, status.downloaded);
  view.append(await backupsCard(screen));
  if (admin) view.append(endpointCard(status.endpoint, status.custom_endpoint, screen));
}

function showAvailable(result: HTMLElement, found: UpdateInfo | null, admin: boolean, downloaded = false) {
  if (!found) return result.replaceChildren(el("p", { className: "success" }, "This is the newest version."));
  const notes = el("pre", { className: "release-notes" }, found.notes ?? "No release notes.");
  const action = el("div", { id: "update-actions" });
  result.replaceChildren(el("h3", {}, `Version ${found.version} is available (you have ${found.current_version})`), notes, action);
  if (!admin) return action.append(el("p", { className: "muted" }, "An administrator can install it from this page."));
  const install = el("button", { type: "button", id: "install-update" }, "Install and restart");
  install.addEventListener("click", async () => {
    if (!confirm(`Install version ${found.version} and restart Church Course Tracker now? Everything is saved; the app reopens where you left it.`)) return;
    install.disabled = true;
    try {
      await updates.installAndRestart();
    } catch (error) {
      action.append(el("p", { className: "error" }, errorText(error)));
      install.disabled = false;
    }
  });
  if (downloaded) return action.replaceChildren(el("p", { className: "success" }, "Downloaded and its signature verified."), install);
  const download = el("button", { type: "button", id: "download-update", className: "secondary" }, "Download");
  download.addEventListener("click", async () => {
    download.disabled = true;
    const bar = el("span");
    const counter = el("span", { className: "muted" }, "Starting…");
    action.replaceChildren(el("div", { className: "progress determinate" }, bar), counter);
    const stop = await listen<UpdateProgress>("update-progress", ({ payload }) => {
      if (payload.total) bar.style.width = `${(100 * payload.downloaded) / payload.total}%`;
      counter.textContent = `${(payload.downloaded / 1_048_576).toFixed(1)} MB${payload.total ? ` of ${(payload.total / 1_048_576).toFixed(1)} MB` : ""}`;
    });
    try {
      await updates.download();
      action.replaceChildren(el("p", { className: "success" }, "Downloaded and its signature verified."), install);
    } catch (error) {
      action.replaceChildren(el("p", { className: "error" }, errorText(error)), download);
      download.disabled = false;
    } finally {
      stop();
    }
  });
  action.append(download);
}

function endpointCard(endpoint: string, custom: boolean, screen: Screen): HTMLElement {
  const address = input({ value: custom ? endpoint : "", placeholder: endpoint });
  return card(
    "Where updates come from",
    el("p", { className: "muted" }, "Churches that publish their own builds can point the app at their own update manifest. Packages must still be signed with the key built into the app."),
    form({ id: "update-endpoint" }, [field("Update manifest address (empty: the built-in one)", "endpoint", address), el("button", { type: "submit", className: "secondary" }, "Save")], async () => {
      await updates.setEndpoint(address.value.trim() || null);
      screen.refresh();
    }),
  );
}
