// First run (the demo church, or setting up a real office) and the home dashboard.
import { api, office, session } from "../api";
import { card, el, errorText, field, form, input } from "../dom";
import type { Screen } from "../main";
import { keystroke } from "../timing";
import { joinCard } from "./team";
import { firstRunRestoreCard } from "./backups";
import { renewalsCard } from "./renewals";

export function renderFirstRun(app: HTMLElement, done: () => void) {
  const message = el("p", { className: "muted" }, "Nothing is stored on this computer yet. Try the app with a demo church: two campuses, 300 people, courses with prerequisites and a certification. It stays on this computer and is never sent to Planning Center.");
  const button = el("button", { type: "button", id: "load-demo" }, "Load the demo church");
  const feedback = el("div", { id: "demo-feedback" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    feedback.replaceChildren(el("p", { className: "muted" }, "Creating the demo church…"), el("div", { className: "progress" }, el("span")));
    try {
      await api.loadDemoChurch();
      location.hash = "#/";
      done();
    } catch (error) {
      button.disabled = false;
      feedback.replaceChildren(el("p", { className: "error" }, errorText(error)));
    }
  });
  const first = input({ autocomplete: "given-name" });
  const last = input({ autocomplete: "family-name" });
  const email = input({ type: "email", autocomplete: "email" });
  const password = input({ type: "password", autocomplete: "new-password" });
  const again = input({ type: "password", autocomplete: "new-password" });
  const setUp = form(
    { id: "set-up-office", className: "card" },
    [
      el("h2", {}, "Set up your church"),
      el("p", { className: "muted" }, "You become the church's first administrator and sign in with the password you choose here. Then connect Planning Center to bring in your people, or start entering them, and invite each person who uses the app to set their own password."),
      field("First name", "first_name", first),
      field("Last name", "last_name", last),
      field("E-mail (you sign in with it on other computers)", "email", email),
      el("div", { className: "row" }, field("Password (8 or more characters)", "password", password), field("The same password again", "password_again", again)),
      el("button", { type: "submit" }, "Set up"),
    ],
    async () => {
      await session.setUpOffice({ first_name: first.value, last_name: last.value, email: email.value || null, password: password.value, password_again: again.value });
      done();
    },
  );
  const join = joinCard(done);
  app.replaceChildren(el("section", { className: "card", id: "first-run" }, el("h2", {}, "Welcome"), message, button, feedback), setUp, join, firstRunRestoreCard());
}

export async function renderHome(view: HTMLElement, screen: Screen) {
  const { status } = screen;
  const title = el("h2", {}, status.signed_in ? `Signed in as ${status.signed_in.name}` : "Nobody is signed in");
  if (status.demo_mode) title.append(el("span", { className: "badge" }, "demo"));
  const stats = el("div", { className: "stats", id: "stats" }, stat(status.people, "people"), stat(status.courses, "courses"), stat(status.pending_changes, "changes waiting to sync"));
  view.replaceChildren(el("section", { className: "card" }, title, el("p", { className: "muted" }, `Version ${status.version} · data in ${status.database_path}`)), stats);

  if (screen.can("certifications.read")) {
    const renewals = await renewalsCard(screen);
    if (renewals) view.append(renewals);
    const soon = await office.certificationStandings("expiring_soon");
    const expired = await office.certificationStandings("expired");
    if (soon.length + expired.length > 0) {
      view.append(
        card(
          "Certifications needing attention",
          el("p", {}, `${soon.length} expiring soon, ${expired.length} expired. `, el("a", { href: "#/certifications" }, "See the lists")),
        ),
      );
    }
  }
  if (screen.can("people.read")) {
    const results = el("ul", { className: "list", id: "people-results" });
    const search = el("input", { type: "search", id: "people-search", placeholder: "Search people by name, e-mail or the last digits of a phone", autocomplete: "off" });
    let latest = 0;
    search.addEventListener("input", async () => {
      const mine = ++latest;
      const shown = keystroke("office-search");
      const text = search.value.trim();
      if (!text) return results.replaceChildren();
      try {
        const people = await api.searchPeople(text);
        if (mine !== latest) return;
        results.replaceChildren(
          ...people.map((p) => el("li", {}, el("a", { href: `#/people/${p.id}` }, `${p.nickname ?? p.first_name} ${p.last_name}`), el("span", { className: "muted" }, p.email ?? p.phone ?? p.household_name ?? ""))),
        );
        if (people.length === 0) results.replaceChildren(el("li", { className: "muted" }, "No one matches."));
        shown();
      } catch (error) {
        results.replaceChildren(el("li", { className: "error" }, errorText(error)));
      }
    });
    view.append(card("People", search, results));
  }
  if (screen.can("courses.read")) {
    const courses = await api.listCourses();
    view.append(
      card(
        "Courses",
        el(
          "ul",
          { className: "list", id: "course-list" },
          ...courses.map((c) => el("li", {}, el("a", { href: `#/courses/${c.id}` }, c.name), el("span", { className: "muted" }, seats(c.current_registrations, c.max_capacity)))),
        ),
      ),
    );
  }
}

export function seats(registered: number, capacity: number | null): string {
  return capacity === null ? `${registered} enrolled` : `${registered} of ${capacity} seats`;
}

function stat(value: number, label: string) {
  return el("div", { className: "stat" }, el("strong", {}, value.toLocaleString()), label);
}
