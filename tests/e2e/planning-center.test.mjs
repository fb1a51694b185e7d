// The Planning Center card in the real window, against the fake Planning Center (its binary,
// on a free port): a new office signs in with a personal access token, syncs, chooses where
// completions and renewals go (custom fields, workflows), and subscribes the webhook receiver,
// whose secrets go to a file and never to the screen; then someone moved out of their family
// here is taken out of it in Planning Center, and the rest of the family stays.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { freePort, launchApp, screenshots as shots } from "./webdriver.mjs";

let running;
let app;
let fake;
let baseUrl;

async function startFake() {
  const port = await freePort();
  const child = spawn(path.resolve("target/debug/pco-fake"), ["--port", String(port), "--people", "40"], { stdio: ["ignore", "pipe", "pipe"] });
  let printed = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pco-fake did not start: ${printed}`)), 20_000);
    child.stdout.on("data", (chunk) => {
      printed += chunk;
      if (printed.includes("Press Ctrl-C")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`pco-fake exited with ${code}: ${printed}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

before(async () => {
  ({ child: fake, url: baseUrl } = await startFake());
  running = await launchApp("planning-center", { env: { CCT_PCO_BASE_URL: baseUrl } });
  ({ app } = running);
});

after(async () => {
  await running?.close();
  fake?.kill();
});

test("an office connects to Planning Center, syncs, maps fields and workflows, and subscribes webhooks", { timeout: 240_000 }, async () => {
  await app.type('#set-up-office [name="first_name"]', "Pat");
  await app.type('#set-up-office [name="last_name"]', "Admin");
  await app.type('#set-up-office [name="email"]', "pat@example.org");
  await app.type('#set-up-office [name="password"]', "the office's password");
  await app.type('#set-up-office [name="password_again"]', "the office's password");
  await app.click('#set-up-office button[type="submit"]');
  await app.waitFor("#signed-in-as", { text: "Pat Admin", timeout: 60_000 });

  // A wrong secret is refused beside the form; the right one connects.
  await app.click('nav a[href="#/sync"]');
  await app.click("#planning-center summary", { text: "Use a personal access token instead" });
  await app.type('#planning-center [name="app_id"]', "fake-app-id");
  await app.type('#planning-center [name="secret"]', "not-the-secret");
  await app.click("#planning-center .token-form button");
  const refusal = async () => app.execute("const e = document.querySelector('#planning-center .token-form'); return e ? e.textContent : ''");
  let said = "";
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && !/secret|token|refused|not accepted|wrong/i.test(said.replace(/The secret is kept[^.]*\./, "")); ) {
    await new Promise((r) => setTimeout(r, 200));
    said = await refusal();
  }
  assert.match(said.replace(/The secret is kept[^.]*\./, ""), /secret|token|refused|not accepted|wrong/i, `the refusal is explained: ${said}`);
  await app.screenshot(shots, "planning-center-token-refused", "#planning-center");
  await app.type('#planning-center [name="secret"]', "fake-secret");
  await app.click("#planning-center .token-form button");
  await app.waitFor("#sync-now", { timeout: 30_000 });

  await app.click("#sync-now");
  await app.waitFor("#sync-report", { text: "Synced:", timeout: 120_000 });
  assert.match(await app.text("#sync-report"), /40 people brought in/);

  // Where completions and renewals go: the fields and workflows the sync brought.
  await app.waitFor("#field-mappings");
  const firstChoice = (name) => app.execute(`const s = document.querySelector('[name="${name}"]'); return s.options.length > 1 ? s.options[1].textContent : null;`);
  const workflow = await firstChoice("renewals_workflow_field");
  assert.ok(workflow, "Planning Center's workflows are offered");
  // Each choice is saved, and the card drawn again from what was saved, before the next.
  const chooseAndKeep = async (name, label) => {
    await app.execute(`document.querySelector('[name="${name}"]').dataset.drawnBefore = "yes"`);
    await app.choose(`[name="${name}"]`, label);
    let kept = false;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && !kept; ) {
      await new Promise((r) => setTimeout(r, 150));
      kept = await app.execute(
        `const s = document.querySelector('[name="${name}"]');
         return !!s && !s.dataset.drawnBefore && s.selectedOptions[0] && s.selectedOptions[0].textContent === arguments[0];`,
        [label],
      );
    }
    assert.ok(kept, `${name} keeps ${label}`);
  };
  await chooseAndKeep("renewals_workflow_field", workflow);
  await chooseAndKeep("completions_workflow_field", workflow);
  const field = await firstChoice("completions_field");
  if (field) await chooseAndKeep("completions_field", field);
  await app.screenshot(shots, "planning-center-workflows", "#field-mappings");

  // The webhook receiver: a plain-http address is refused beside its field; the secrets go
  // to the file named, readable by its owner only, and never to the screen.
  await app.click("#webhooks summary");
  await app.type('#webhooks-form [name="receiver_url"]', "http://hub.example.org/planning-center/webhooks");
  const secrets = path.join(running.dataDir, "webhook-secrets");
  await app.type('#webhooks-form [name="secrets_file"]', secrets);
  await app.click('#webhooks-form button[type="submit"]');
  await app.waitFor("#webhooks-form", { text: "is not encrypted" });
  await app.type('#webhooks-form [name="receiver_url"]', "https://hub.example.org/planning-center/webhooks");
  await app.click('#webhooks-form button[type="submit"]');
  await app.waitFor("#webhooks-outcome", { text: "made", timeout: 30_000 });
  const written = readFileSync(secrets, "utf8");
  assert.ok(written.trim().length > 0, "the secrets are in the file");
  assert.equal(statSync(secrets).mode & 0o077, 0, "only its owner may read it");
  const shown = await app.text("#planning-center");
  const secretLines = written.split("\n").filter((line) => line.trim() && !line.startsWith("#"));
  assert.ok(secretLines.length > 0, written);
  for (const secret of secretLines) assert.ok(!shown.includes(secret.trim()), "no secret is on the screen");
  await app.screenshot(shots, "planning-center-webhooks", "#webhooks");
});

/// Reads the fake Planning Center as an integration would, with the token the office used.
async function planningCenter(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    headers: { authorization: `Basic ${Buffer.from("fake-app-id:fake-secret").toString("base64")}`, "x-pco-api-version": "2025-11-10" },
  });
  assert.equal(response.status, 200, `${pathAndQuery}: ${response.status}`);
  return response.json();
}

async function householdsThere(personId) {
  const person = await planningCenter(`/people/v2/people/${personId}?include=households`);
  return (person.data.relationships.households?.data ?? []).map((h) => h.id).sort();
}

test("someone moved out of a household here is taken out of it in Planning Center", { timeout: 180_000 }, async () => {
  // A family Planning Center holds, and one of them whose name no one else has.
  const people = [];
  for (let next = "/people/v2/people?per_page=100&include=households"; next; ) {
    const page = await planningCenter(next.replace(baseUrl, ""));
    people.push(...page.data);
    next = page.links?.next;
  }
  const nameOf = (p) => `${p.attributes.first_name} ${p.attributes.last_name}`;
  const householdOf = (p) => p.relationships.households?.data?.[0]?.id;
  const unique = (p) => people.filter((o) => nameOf(o) === nameOf(p)).length === 1;
  const family = people.map(householdOf).find((h) => h && people.filter((p) => householdOf(p) === h).length >= 2);
  assert.ok(family, "a household of two or more");
  const members = people.filter((p) => householdOf(p) === family);
  const mover = members.find(unique);
  assert.ok(mover, `someone of household ${family} with a name of their own`);
  const stayers = members.filter((p) => p !== mover);

  await app.click('nav a[href="#/people"]');
  await app.type("#people-search", nameOf(mover));
  await app.click("#people-table a", { text: mover.attributes.first_name });
  await app.waitFor("#person-header h2", { text: mover.attributes.last_name });
  await app.click("details summary", { text: "Move to another household" });
  await app.type('#move-household [name="name"]', "Flat on Oak Street");
  await app.click('#move-household button[type="submit"]');
  await app.waitFor("section.card h2", { text: "Flat on Oak Street" });
  await app.screenshot(shots, "planning-center-household-move");

  await app.click('nav a[href="#/sync"]');
  await app.click("#sync-now");
  await app.waitFor("#sync-report", { text: "Synced:", timeout: 120_000 });
  const report = await app.text("#sync-report");
  assert.match(report, /changes sent/, report);
  assert.doesNotMatch(report, /need attention/, report);

  const moverThere = await householdsThere(mover.id);
  assert.equal(moverThere.length, 1, `in one household there: ${moverThere}`);
  assert.notEqual(moverThere[0], family, "out of the family there");
  const flat = await planningCenter(`/people/v2/households/${moverThere[0]}`);
  assert.equal(flat.data.attributes.name, "Flat on Oak Street");
  for (const stayer of stayers) assert.deepEqual(await householdsThere(stayer.id), [family], `${nameOf(stayer)} stays`);
});
