import { api, isCommandError, type AppStatus } from "./api";

const app = document.querySelector<HTMLElement>("#app")!;
const dbStatus = document.querySelector<HTMLElement>("#db-status")!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function errorText(error: unknown): string {
  return isCommandError(error) ? error.message : String(error);
}

async function start() {
  try {
    const status = await api.appStatus();
    dbStatus.textContent = status.demo_mode ? "Demo church · works offline" : "Works offline";
    if (status.people === 0) {
      renderFirstRun();
    } else {
      await renderDashboard(status);
    }
  } catch (error) {
    dbStatus.textContent = "The local database could not be opened";
    app.replaceChildren(el("div", { className: "card" }, el("p", { className: "error", textContent: errorText(error) })));
  }
}

function renderFirstRun() {
  const message = el("p", { className: "muted" }, "Nothing is stored on this computer yet. Try the app with a demo church: two campuses, 300 people, courses with prerequisites and a certification. It stays on this computer and is never sent to Planning Center.");
  const button = el("button", { type: "button", id: "load-demo" }, "Load the demo church");
  const feedback = el("div", { id: "demo-feedback" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    feedback.replaceChildren(el("p", { className: "muted" }, "Creating the demo church…"), el("div", { className: "progress" }, el("span")));
    try {
      await api.loadDemoChurch();
      await start();
    } catch (error) {
      button.disabled = false;
      feedback.replaceChildren(el("p", { className: "error", textContent: errorText(error) }));
    }
  });
  app.replaceChildren(el("section", { className: "card", id: "first-run" }, el("h2", {}, "Welcome"), message, button, feedback));
}

async function renderDashboard(status: AppStatus) {
  const who = status.signed_in ? `Signed in as ${status.signed_in.name}` : "Nobody is signed in";
  const stats = el(
    "div",
    { className: "stats", id: "stats" },
    stat(status.people, "people"),
    stat(status.courses, "courses"),
    stat(status.pending_changes, "changes waiting to sync"),
  );
  const results = el("ul", { className: "list", id: "people-results" });
  const search = el("input", { type: "search", id: "people-search", placeholder: "Search people by name, e-mail or the last digits of a phone", autocomplete: "off" });
  let latest = 0;
  search.addEventListener("input", async () => {
    const mine = ++latest;
    const text = search.value.trim();
    if (!text) return results.replaceChildren();
    try {
      const people = await api.searchPeople(text);
      if (mine !== latest) return;
      results.replaceChildren(
        ...people.map((p) => el("li", {}, el("span", {}, `${p.nickname ?? p.first_name} ${p.last_name}`), el("span", { className: "muted" }, p.email ?? p.phone ?? p.household_name ?? ""))),
      );
      if (people.length === 0) results.replaceChildren(el("li", { className: "muted" }, "No one matches."));
    } catch (error) {
      results.replaceChildren(el("li", { className: "error", textContent: errorText(error) }));
    }
  });
  const courseList = el("ul", { className: "list", id: "course-list" });
  try {
    const courses = await api.listCourses();
    courseList.replaceChildren(
      ...courses.map((c) =>
        el("li", {}, el("span", {}, c.name), el("span", { className: "muted" }, c.max_capacity === null ? `${c.current_registrations} enrolled` : `${c.current_registrations} of ${c.max_capacity} seats`)),
      ),
    );
  } catch (error) {
    courseList.replaceChildren(el("li", { className: "error", textContent: errorText(error) }));
  }
  const title = el("h2", {}, who);
  if (status.demo_mode) title.append(el("span", { className: "badge" }, "demo"));
  app.replaceChildren(
    el("section", { className: "card" }, title, el("p", { className: "muted" }, `Version ${status.version} · data in ${status.database_path}`)),
    stats,
    el("section", { className: "card" }, el("h2", {}, "People"), search, results),
    el("section", { className: "card" }, el("h2", {}, "Courses"), courseList),
  );
}

function stat(value: number, label: string) {
  return el("div", { className: "stat" }, el("strong", {}, value.toLocaleString()), label);
}

start();
