import { api, pco, type AppStatus } from "./api";
import { el, errorText } from "./dom";
import { renderPlanningCenter } from "./planning-center";

const app = document.querySelector<HTMLElement>("#app")!;
const dbStatus = document.querySelector<HTMLElement>("#db-status")!;

async function start() {
  try {
    const status = await api.appStatus();
    dbStatus.textContent = status.demo_mode ? "Demo church · works offline" : "Works offline";
    if (status.people === 0 && !status.signed_in) {
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
  app.replaceChildren(el("section", { className: "card", id: "first-run" }, el("h2", {}, "Welcome"), message, button, feedback), setUpOfficeCard());
}

/// A real church: its first administrator, then Planning Center from the dashboard.
function setUpOfficeCard(): HTMLElement {
  const first = el("input", { name: "first_name", autocomplete: "given-name" });
  const last = el("input", { name: "last_name", autocomplete: "family-name" });
  const email = el("input", { name: "email", type: "email", autocomplete: "email" });
  const feedback = el("p", { className: "error" });
  const form = el(
    "form",
    { id: "set-up-office" },
    el("h2", {}, "Set up your church"),
    el("p", { className: "muted" }, "You become this computer's administrator. Then connect Planning Center to bring in your people, or start entering them here."),
    el("label", { className: "field" }, el("span", {}, "First name"), first),
    el("label", { className: "field" }, el("span", {}, "Last name"), last),
    el("label", { className: "field" }, el("span", {}, "E-mail (optional)"), email),
    el("button", { type: "submit" }, "Set up"),
    feedback,
  );
  form.classList.add("card");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await pco.setUpOffice(first.value, last.value, email.value);
      await start();
    } catch (error) {
      feedback.textContent = errorText(error);
    }
  });
  return form;
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
  const planningCenter = el("section", { className: "card", id: "planning-center" }, el("h2", {}, "Planning Center"));
  app.replaceChildren(
    el("section", { className: "card" }, title, el("p", { className: "muted" }, `Version ${status.version} · data in ${status.database_path}`)),
    stats,
    planningCenter,
    el("section", { className: "card" }, el("h2", {}, "People"), search, results),
    el("section", { className: "card" }, el("h2", {}, "Courses"), courseList),
  );
  if (status.signed_in?.permissions.includes("sync.manage")) await renderPlanningCenter(planningCenter, () => void start());
  else planningCenter.remove();
}

function stat(value: number, label: string) {
  return el("div", { className: "stat" }, el("strong", {}, value.toLocaleString()), label);
}

start();
