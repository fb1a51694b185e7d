// Who is using this computer: the sign-in screen (people who used it lately, anyone by e-mail,
// an invitation code, the demo), the lock screen after idle time, and the screen that explains
// why the database could not be opened. Every rule (passwords, waits, who may sign in) is
// checked in Rust; this only asks.
import { session, type ErrorReport, type RecentPerson, type SignInScreen } from "../api";
import { card, el, errorText, field, form, input } from "../dom";

export async function renderSignIn(app: HTMLElement, done: () => void) {
  const screen = await session.screen();
  if (screen.locked) return renderLocked(app, screen, screen.locked, done);
  renderChooser(app, screen, done);
}

/// The window locked after idle time: the same person unlocks, or someone else signs in.
function renderLocked(app: HTMLElement, screen: SignInScreen, person: RecentPerson, done: () => void) {
  const password = input({ type: "password", id: "unlock-password", autocomplete: "current-password" });
  const switchPerson = el("button", { type: "button", className: "secondary", id: "switch-person" }, "Switch person");
  switchPerson.addEventListener("click", () => renderChooser(app, screen, done));
  const unlock = form({ id: "unlock", className: "card sign-in" }, [
    el("h2", {}, "Locked"),
    el("p", { className: "muted" }, `${person.name} was signed in. This computer locked after ${minutes(screen.idle_lock_seconds)} without use.`),
    field(`Password for ${person.name}`, "password", password),
    el("div", { className: "actions" }, el("button", { type: "submit" }, "Unlock"), switchPerson),
  ], async () => {
    await session.unlock(password.value);
    done();
  });
  app.replaceChildren(unlock);
  password.focus();
}

/// Choosing who signs in.
function renderChooser(app: HTMLElement, screen: SignInScreen, done: () => void) {
  const parts: HTMLElement[] = [];
  if (screen.demo) parts.push(demoCard(screen.demo, done));
  if (screen.first_password_for) parts.push(firstPasswordCard(screen.first_password_for, done));
  const chooser = el("section", { className: "card sign-in", id: "sign-in" }, el("h2", {}, "Who is using this computer?"));
  if (screen.recent.length > 0) {
    chooser.append(
      el(
        "ul",
        { className: "people-choices", id: "recent-people" },
        ...screen.recent.map((person) => {
          const choose = el("button", { type: "button", className: "person-choice" }, person.name);
          choose.dataset.peopleId = person.people_id;
          choose.addEventListener("click", () => renderPasswordFor(app, screen, person, done));
          return el("li", {}, choose);
        }),
      ),
    );
  }
  chooser.append(byEmailForm(done));
  parts.push(chooser, invitationCard(done));
  parts.push(
    el(
      "p",
      { className: "muted sign-in", id: "forgot-password" },
      "Forgot your password? Ask an administrator: on your page under People they make a reset code, and you set a new password with it here.",
    ),
  );
  app.replaceChildren(...parts);
}

function renderPasswordFor(app: HTMLElement, screen: SignInScreen, person: RecentPerson, done: () => void) {
  const password = input({ type: "password", id: "sign-in-password", autocomplete: "current-password" });
  const back = el("button", { type: "button", className: "secondary" }, "Someone else");
  back.addEventListener("click", () => renderChooser(app, screen, done));
  app.replaceChildren(
    form({ id: "sign-in-person", className: "card sign-in" }, [
      el("h2", {}, person.name),
      field("Password", "password", password),
      el("div", { className: "actions" }, el("button", { type: "submit" }, "Sign in"), back),
    ], async () => {
      await session.signIn({ by: "person", people_id: person.people_id }, password.value);
      done();
    }),
  );
  password.focus();
}

function byEmailForm(done: () => void): HTMLElement {
  const email = input({ type: "email", id: "sign-in-email", autocomplete: "username" });
  const password = input({ type: "password", id: "sign-in-email-password", autocomplete: "current-password" });
  return form({ id: "sign-in-by-email" }, [
    el("h3", {}, "Sign in with your e-mail"),
    el("div", { className: "row" }, field("E-mail", "person", email), field("Password", "password", password)),
    el("button", { type: "submit" }, "Sign in"),
  ], async () => {
    await session.signIn({ by: "email", email: email.value }, password.value);
    done();
  });
}

function invitationCard(done: () => void): HTMLElement {
  const code = input({ id: "invitation-code", placeholder: "ABCD-EFGH-JKLM", autocapitalize: "characters" });
  const password = input({ type: "password", id: "new-password", autocomplete: "new-password" });
  const again = input({ type: "password", id: "new-password-again", autocomplete: "new-password" });
  const invitation = card(
    "I have an invitation code",
    el("p", { className: "muted" }, "An administrator gives you a code, to set your first password or a new one. It works once, for 7 days."),
    form({ id: "accept-invitation" }, [
      field("Invitation code", "code", code),
      el("div", { className: "row" }, field("New password (8 or more characters)", "password", password), field("The same password again", "password_again", again)),
      el("button", { type: "submit" }, "Set my password and sign in"),
    ], async () => {
      await session.acceptInvitation(code.value, password.value, again.value);
      done();
    }),
  );
  invitation.classList.add("sign-in");
  return invitation;
}

/// A button that runs `act` once at a time, and the line that says why it failed.
function actionButton(id: string, label: string, act: () => Promise<void>): [HTMLButtonElement, HTMLElement] {
  const button = el("button", { type: "button", id }, label);
  const feedback = el("p", { className: "error", role: "alert" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    feedback.textContent = "";
    try {
      await act();
    } catch (error) {
      feedback.textContent = errorText(error);
      button.disabled = false;
    }
  });
  return [button, feedback];
}

function demoCard(admin: RecentPerson, done: () => void): HTMLElement {
  const [enter, feedback] = actionButton("demo-sign-in", `Enter the demo as ${admin.name}`, async () => {
    await session.signInToDemo();
    done();
  });
  return card("Demo church", el("p", { className: "muted" }, "The demo signs in as its administrator without a password. A real church's people each sign in with their own."), enter, feedback);
}

/// After an upgrade from release 0.1, which acted as one administrator without a password.
function firstPasswordCard(admin: RecentPerson, done: () => void): HTMLElement {
  const password = input({ type: "password", id: "first-password", autocomplete: "new-password" });
  const again = input({ type: "password", id: "first-password-again", autocomplete: "new-password" });
  return card(
    `Set your password, ${admin.name}`,
    el("p", { className: "muted" }, "This version asks everyone to sign in. You administered this computer before the upgrade: choose your password to go on, then invite the others from their pages."),
    form({ id: "first-password-form" }, [
      el("div", { className: "row" }, field("Password (8 or more characters)", "password", password), field("The same password again", "password_again", again)),
      el("button", { type: "submit" }, "Set my password"),
    ], async () => {
      await session.setFirstPassword(password.value, again.value);
      done();
    }),
  );
}

/// The database could not be opened at start: why, and a way to try again.
export function renderStartupProblem(app: HTMLElement, problem: ErrorReport, done: () => void) {
  const [retry, feedback] = actionButton("retry-start", "Try again", async () => {
    await session.retryStart();
    done();
  });
  app.replaceChildren(el("section", { className: "card", id: "startup-problem" }, el("h2", {}, "The church's data could not be opened"), el("p", {}, problem.message), retry, feedback));
}

function minutes(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds`;
  const whole = Math.round(seconds / 60);
  return whole === 1 ? "a minute" : `${whole} minutes`;
}
