// The steps every check-in station test takes in the real window: the demo church loaded, a
// station started for a session, a family with a child checked in.

/// Loads the demo church and starts station `letter` (PIN 2468) for week 1 of Foundations of
/// Faith. `beforeStart` fills the rest of the form (a label printer) before it is sent.
export async function startStation(app, letter, beforeStart = async () => {}) {
  await app.click("#load-demo", { timeout: 90_000 });
  await app.waitFor("#stats", { text: "300", timeout: 60_000 });
  await app.click('nav a[href="#/check-in"]');
  await app.click("#kiosk-sessions label", { text: "Foundations of Faith: week 1" });
  await app.type('#start-kiosk [name="station"]', letter);
  await app.type('#start-kiosk [name="pin"]', "2468");
  await app.type('#start-kiosk [name="pin_again"]', "2468");
  await beforeStart();
  await app.click("#kiosk-understood");
  await app.click('#start-kiosk button[type="submit"]');
  await app.waitFor(".kiosk-head", { text: `station ${letter}` });
}

/// Finds a family with a child not yet checked in ("Mar" as you type) and checks it in: whether
/// there was one.
export async function checkInAFamilyWithAChild(app) {
  await app.type("#kiosk-search", "Mar");
  await app.waitFor("#kiosk-results .family", { text: "(child)" });
  return app.execute(`
    const family = [...document.querySelectorAll('#kiosk-results .family')].find(f => f.textContent.includes('(child)') && !f.textContent.includes('✓'));
    if (!family) return null;
    family.querySelector('button.check-in').click();
    return true;`);
}
