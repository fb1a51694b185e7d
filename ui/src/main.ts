// The window: a navigation bar and one screen at a time, chosen by the URL's hash so the back
// button and reloads keep the office where it was.
import { api, hasCode, session, updates, type AppStatus, type Permission } from "./api";
import { el, errorText } from "./dom";
import { stopWatchingIdle, watchIdle } from "./idle";
import { count } from "./format";
import { firstScreen } from "./timing";
import { renderAudit } from "./screens/audit";
import { renderCertifications } from "./screens/certifications";
import { renderCourse, renderCourses } from "./screens/courses";
import { renderFirstRun, renderHome } from "./screens/home";
import { renderPeople, renderPerson } from "./screens/people";
import { renderSync } from "./screens/sync";
import { renderTransfer } from "./screens/transfer";
import { renderUpdates } from "./screens/updates";
import { renderTeam } from "./screens/team";
import { renderKiosk, renderStartKiosk } from "./screens/kiosk";
import { renderRooms } from "./screens/rooms";
import { renderReports } from "./screens/reports";
import { renderOrganization } from "./screens/organization";
import { renderSignIn, renderStartupProblem } from "./screens/sign-in";
import { renderRecovery } from "./screens/backups";

const app = document.querySelector<HTMLElement>("#app")!;
const nav = document.querySelector<HTMLElement>("#nav")!;
const dbStatus = document.querySelector<HTMLElement>("#db-status")!;
const sessionBar = document.querySelector<HTMLElement>("#session")!;

export interface Screen {
  status: AppStatus;
  can(permission: Permission): boolean;
  /// Redraws the current screen (after a change) or goes to another.
  refresh(): void;
  go(hash: string): void;
}

const SECTIONS: { hash: string; label: string; needs: Permission | null }[] = [
  { hash: "#/", label: "Home", needs: null },
  { hash: "#/people", label: "People", needs: "people.read" },
  { hash: "#/courses", label: "Courses", needs: "courses.read" },
  { hash: "#/certifications", label: "Certifications", needs: "certifications.read" },
  { hash: "#/organization", label: "Campuses & roles", needs: "campuses.read" },
  { hash: "#/audit", label: "Audit log", needs: "audit.read" },
  { hash: "#/transfer", label: "Import & export", needs: "people.read" },
  { hash: "#/sync", label: "Sync", needs: "sync.manage" },
  { hash: "#/team", label: "Team", needs: "sync.manage" },
  { hash: "#/rooms", label: "Rooms today", needs: "attendance.read" },
  { hash: "#/reports", label: "Reports", needs: "reports.read" },
  { hash: "#/check-in", label: "Check-in station", needs: "settings.manage" },
  { hash: "#/updates", label: "About", needs: null },
];

let rendering = 0;

async function render() {
  const mine = ++rendering;
  let status: AppStatus;
  try {
    status = await api.appStatus();
  } catch (error) {
    dbStatus.textContent = "The local database could not be opened";
    app.replaceChildren(el("div", { className: "card" }, el("p", { className: "error" }, errorText(error))));
    return;
  }
  // The demo church never syncs, so a count of waiting changes would only mislead there.
  dbStatus.textContent = status.demo_mode
    ? "Demo church · works offline · never sent to Planning Center"
    : `Works offline · ${count(status.pending_changes, "change")} waiting to sync`;
  if (status.kiosk) {
    stopWatchingIdle();
    nav.replaceChildren();
    sessionBar.replaceChildren();
    return renderKiosk(app, () => {
      location.hash = "#/";
      void render();
    });
  }
  if (!status.signed_in) {
    stopWatchingIdle();
    nav.replaceChildren();
    sessionBar.replaceChildren();
    if (status.people === 0) return renderFirstRun(app, () => void render());
    return renderSignIn(app, () => void render()).catch((error) => app.replaceChildren(el("div", { className: "card" }, el("p", { className: "error" }, errorText(error)))));
  }
  watchIdle(status.idle_lock_seconds, () => void render());
  showSession(status);
  const permissions = new Set(status.signed_in?.permissions ?? []);
  const screen: Screen = {
    status,
    can: (p) => permissions.has(p),
    refresh: () => void render(),
    go: (hash) => {
      if (location.hash === hash) void render();
      else location.hash = hash;
    },
  };
  const [, section = "", id = ""] = (location.hash || "#/").split(/[/?]/);
  nav.replaceChildren(
    ...SECTIONS.filter((s) => !s.needs || screen.can(s.needs)).map((s) =>
      el("a", { href: s.hash, className: `#/${section}` === s.hash || (s.hash === "#/" && section === "") ? "current" : "" }, s.label),
    ),
  );
  const view = el("div", { className: "screen" });
  app.replaceChildren(view);
  try {
    switch (section) {
      case "people":
        await (id ? renderPerson(view, screen, id) : renderPeople(view, screen));
        break;
      case "courses":
        await (id ? renderCourse(view, screen, id) : renderCourses(view, screen));
        break;
      case "certifications":
        await renderCertifications(view, screen);
        break;
      case "audit":
        await renderAudit(view, screen, new URLSearchParams(location.hash.split("?")[1] ?? ""));
        break;
      case "transfer":
        await renderTransfer(view, screen);
        break;
      case "organization":
        await renderOrganization(view, screen);
        break;
      case "rooms":
        await renderRooms(view, screen);
        break;
      case "reports":
        await renderReports(view, screen);
        break;
      case "check-in":
        await renderStartKiosk(view, screen);
        break;
      case "updates":
        await renderUpdates(view, screen);
        break;
      case "sync":
        await renderSync(view, screen);
        break;
      case "team":
        await renderTeam(view, screen);
        break;
      default:
        await renderHome(view, screen);
    }
  } catch (error) {
    // Locked or signed out meanwhile (idle time, another window's sign-out): to the sign-in screen.
    if (hasCode(error, "session_locked") || hasCode(error, "signed_out")) return void render();
    if (mine === rendering) view.replaceChildren(el("div", { className: "card" }, el("p", { className: "error" }, errorText(error))));
  }
}

/// Who is signed in, in the header, with Lock and Sign out.
function showSession(status: AppStatus) {
  const person = status.signed_in!;
  const lock = el("button", { type: "button", className: "secondary", id: "lock-now" }, "Lock");
  const signOut = el("button", { type: "button", className: "secondary", id: "sign-out" }, "Sign out");
  lock.addEventListener("click", async () => {
    stopWatchingIdle();
    await session.lock();
    void render();
  });
  signOut.addEventListener("click", async () => {
    stopWatchingIdle();
    await session.signOut();
    location.hash = "#/";
    void render();
  });
  const name = el("span", { id: "signed-in-as" }, person.name);
  if (status.demo_mode) name.append(el("span", { className: "badge", title: "The demo church signs in without a password" }, "demo · no password"));
  sessionBar.replaceChildren(name, lock, signOut);
}

/// The database could not be opened: the window explains why before anything else.
async function start() {
  const problem = await session.startupProblem().catch(() => null);
  if (problem && hasCode(problem, "database_opening")) {
    dbStatus.textContent = "Opening the church's data…";
    app.replaceChildren(el("section", { className: "card", id: "opening" }, el("h2", {}, "Opening the church's data"), el("p", {}, problem.message), el("div", { className: "progress" }, el("span"))));
    return void setTimeout(() => void start(), 500);
  }
  if (problem) {
    dbStatus.textContent = "The local database could not be opened";
    // Another window holding the database, or a full disk, pass: trying again is the way.
    // Anything else may need a backup.
    if (hasCode(problem, "store_in_use") || hasCode(problem, "disk_full") || hasCode(problem, "keychain_unavailable")) {
      return renderStartupProblem(app, problem, () => void start());
    }
    return renderRecovery(app, problem, () => void start());
  }
  await render();
}

/// The start-up update check (at most daily, decided in Rust). It only shows a notice; nothing
/// is downloaded or installed unless someone chooses to on the About page.
async function announceUpdate() {
  try {
    // A check-in station is never interrupted, not even by a notice.
    if ((await api.appStatus()).kiosk) return;
    const found = await updates.checkOnStart();
    if (!found) return;
    const notice = el("a", { href: "#/updates", className: "update-notice", id: "update-notice" }, `Version ${found.version} is available`);
    document.querySelector(".app-header")?.append(notice);
  } catch {
    // Offline or not signed in yet: the next start checks again.
  }
}

window.addEventListener("hashchange", () => void render());
// The first screen's mark, for the cold-start benchmark; then the update notice.
void start().then(() => {
  firstScreen();
  return announceUpdate();
});
