// The check-in station through the real app: an administrator starts it, a family is found and
// checked in with a guardian tag, a stranger searching them sees no code, a wrong code releases
// nobody and the right one releases the family's children, the window cannot reach any other
// command, and the PIN leaves kiosk mode for the sign-in screen.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkInAFamilyWithAChild } from "./station.mjs";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

let running;
let app;

before(async () => {
  running = await launchApp("kiosk");
  ({ app } = running);
});

after(async () => {
  await running?.close();
});

test("a check-in station: start, check a family in, locked, leave with the PIN", { timeout: 240_000 }, async () => {
  await app.click("#load-demo", { timeout: 90_000 });
  await app.waitFor("#stats", { text: "300", timeout: 60_000 });

  await app.click('nav a[href="#/check-in"]');
  await app.click("#kiosk-sessions label", { text: "Foundations of Faith: week 1" });
  await app.type('#start-kiosk [name="station"]', "C");
  await app.type('#start-kiosk [name="pin"]', "2468");
  await app.type('#start-kiosk [name="pin_again"]', "2469");
  await app.click("#kiosk-understood");
  await app.click('#start-kiosk button[type="submit"]');
  await app.waitFor('#start-kiosk [data-error-for="pin_again"]', { text: "differ" });
  await app.type('#start-kiosk [name="pin_again"]', "2468");
  await app.click('#start-kiosk button[type="submit"]');

  await app.waitFor(".kiosk-head", { text: "station C" });
  await app.waitFor("#readiness", { text: "Sunday readiness" });
  await app.waitFor("#station-letter", { text: "not in a team" });
  assert.equal(await app.execute("return document.querySelectorAll('#nav a').length"), 0, "no way to the office screens");
  await app.screenshot(shots, "kiosk");

  // A family with a child, found as you type.
  assert.ok(await checkInAFamilyWithAChild(app), "a family with a child to check in");
  // The tag is drawn as it prints; what it says is its accessible name.
  await app.waitFor("#kiosk-labels .label.guardian svg");
  const tag = await app.execute("return document.querySelector('#kiosk-labels .label.guardian svg').getAttribute('aria-label')");
  const code = tag.match(/C[2-9A-HJKMNP-Z]{3}/)?.[0];
  assert.ok(code, `the guardian tag carries a code of station C without look-alikes: ${tag}`);
  await app.waitFor("#kiosk-results .member .in", { text: "checked in" });
  await app.screenshot(shots, "kiosk-labels", "#kiosk-labels");
  await app.click("#labels-done");

  // A stranger at the station searches the family: they are "checked in", and no code shows.
  await app.type("#kiosk-search", "Mar");
  await app.waitFor("#kiosk-results .member .in", { text: "checked in" });
  const screenText = await app.execute("return document.body.innerText");
  assert.ok(!screenText.includes(code), "the code is nowhere on the station's screen");
  await app.screenshot(shots, "kiosk-stranger");

  // A wrong code releases nobody.
  const wrong = code.endsWith("Z") ? `${code.slice(0, 3)}Y` : `${code.slice(0, 3)}Z`;
  await app.type("#pickup-code", wrong);
  await app.click('#pickup-form button[type="submit"]');
  await app.waitFor("#pickup-form .form-error, #pickup-form .error-text", { text: "does not match" });
  await app.screenshot(shots, "kiosk-wrong-code", "#pickup");
  // The tag's code opens the family's children, with who may collect them.
  await app.type("#pickup-code", code.toLowerCase());
  await app.click('#pickup-form button[type="submit"]');
  await app.waitFor("#release-form", { text: "May collect" });
  await app.screenshot(shots, "kiosk-pickup", "#pickup");
  await app.click("#release");
  await app.waitFor("#pickup-done", { text: "Released" });
  await app.type("#kiosk-search", "Mar");
  await app.waitFor("#kiosk-results .member", { text: "left" });

  // The window itself cannot reach anything else: the lock is in Rust.
  const attempt = await app.executeAsync(`
    const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('list_records', { kind: 'people' }).then(() => done('allowed'), (e) => done(e.code));`);
  assert.equal(attempt, "kiosk_locked");

  await app.click("#leave-kiosk summary");
  await app.type('#leave-kiosk [name="pin"]', "1111");
  await app.click('#leave-kiosk button[type="submit"]');
  await app.waitFor('#leave-kiosk [data-error-for="pin"]', { text: "not the PIN" });
  await app.type('#leave-kiosk [name="pin"]', "2468");
  await app.click('#leave-kiosk button[type="submit"]');
  // Leaving signs nobody in: whoever left signs in as themselves (the demo, without a password).
  await app.click("#demo-sign-in");
  await app.waitFor('nav a[href="#/people"]');

  // The office's room view: the family's adults still in, their children gone home.
  await app.click('nav a[href="#/rooms"]');
  await app.waitFor("#rooms .room", { text: "Foundations of Faith: week 1" });
  await app.waitFor("#rooms .room li", { text: "left" });
  await app.screenshot(shots, "rooms");
});
