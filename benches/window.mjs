// What a person feels of the app, measured in the real release window over WebDriver, on the
// 100,000-person church the check-in benchmark keeps (CCT_BENCH_CHURCH):
//   - keystroke to results in the DOM, and to the next painted frame, for the office's people
//     search and the station's family search (performance marks the UI records when
//     window.cctTiming is set; see ui/src/timing.ts);
//   - cold start to the first screen;
//   - the app's own memory (anonymous) apart from the memory-mapped database file, and the web
//     process's.
// Run: `node ui/scripts/tasks.mjs bench-window` (it builds the release app and starts Xvfb).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchApp } from "../tests/e2e/webdriver.mjs";

const church = process.env.CCT_BENCH_CHURCH;
if (!church || !existsSync(church)) {
  console.error("CCT_BENCH_CHURCH must name the church the check-in benchmark keeps (run `CCT_BENCH_CHURCH=/tmp/church.sqlite cargo bench --bench checkin` once)");
  process.exit(2);
}
const LAUNCHES = Number(process.env.CCT_BENCH_LAUNCHES ?? 5);
const binary = "target/release/church-course-tracker";

/// A copy of the church for this run: the app writes to what it opens.
function churchCopy() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cct-bench-window-"));
  const copy = path.join(dir, "church.sqlite");
  copyFileSync(church, copy);
  if (existsSync(`${church}-wal`)) copyFileSync(`${church}-wal`, `${copy}-wal`);
  return copy;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
const median = (values) => percentile([...values].sort((a, b) => a - b), 0.5);
const ms = (value) => `${value.toFixed(1)} ms`;

/// What people type, a letter at a time: starts of names, then the last four digits of phones.
function keystrokes() {
  const words = ["Garcia", "Smith", "Johnson", "Okafor", "Nguyen", "Martinez", "Williams", "Thompson", "Lee", "Anderson", "Mary", "David", "Grace", "Samuel"];
  for (let i = 0; i < 14; i++) words.push(String((i * 7919) % 10_000).padStart(4, "0"));
  return words;
}

async function firstScreenAt(app) {
  for (let i = 0; i < 600; i++) {
    const at = await app.execute("const m = performance.getEntriesByName('first-screen')[0]; return m ? performance.timeOrigin + m.startTime : null;").catch(() => null);
    if (at) return at;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the first screen never showed");
}

/// Types every word into `box` a letter at a time, each letter once the last one's results were
/// painted, and returns the `<name>:dom` and `<name>:frame` measures in milliseconds.
async function typeAndMeasure(app, box, name) {
  await app.execute("window.cctTiming = true; performance.clearMeasures();");
  const element = await app.waitFor(box);
  let expected = 0;
  for (const word of keystrokes()) {
    await app.execute("const box = document.querySelector(arguments[0]); box.value = ''; box.dispatchEvent(new Event('input'));", [box]);
    for (const letter of word) {
      expected++;
      await app.cmd("POST", `/element/${element}/value`, { text: letter });
      // One call that returns once the letter's results were painted: polling from here would
      // keep the page's thread busy with WebDriver while it renders what is measured.
      const painted = await app.executeAsync(
        `const [name, count, done] = arguments;
         const enough = () => performance.getEntriesByName(name).length >= count;
         if (enough()) return done(true);
         const observer = new PerformanceObserver(() => { if (enough()) { observer.disconnect(); done(true); } });
         observer.observe({ entryTypes: ["measure"] });
         setTimeout(() => { observer.disconnect(); done(enough()); }, 5000);`,
        [`${name}:frame`, expected],
      );
      if (!painted) throw new Error(`no results for "${word}" after typing "${letter}"`);
    }
  }
  const read = (kind) => app.execute("return performance.getEntriesByName(arguments[0]).map((m) => m.duration)", [`${name}:${kind}`]);
  return { dom: (await read("dom")).sort((a, b) => a - b), frame: (await read("frame")).sort((a, b) => a - b) };
}

/// Resident memory of the app and of its web process, from /proc (Linux).
function memory(database) {
  const processes = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  const read = (pid, file) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
      return "";
    }
  };
  const app = processes.find((pid) => read(pid, "cmdline").startsWith(path.resolve(binary)) && read(pid, "environ").includes(database));
  if (!app) return null;
  const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  const status = read(app, "status");
  let mappedDatabase = 0;
  let mapping = "";
  for (const line of read(app, "smaps").split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) mapping = line;
    else if (line.startsWith("Rss:") && mapping.includes(database)) mappedDatabase += kib(line, "Rss");
  }
  const parent = (pid) => /^PPid:\s+(\d+)/m.exec(read(pid, "status"))?.[1];
  const isDescendant = (pid) => {
    for (let p = parent(pid); p && p !== "1"; p = parent(p)) if (p === app) return true;
    return false;
  };
  const web = processes.filter((pid) => read(pid, "comm").startsWith("WebKitWebProc") && isDescendant(pid));
  const webPss = web.reduce((sum, pid) => sum + kib(read(pid, "smaps_rollup"), "Pss"), 0);
  return { anonymous: kib(status, "RssAnon"), file: kib(status, "RssFile"), mappedDatabase, webPss };
}

const database = churchCopy();
const rows = [];

// Cold starts: a new app process each time, on the same church.
const starts = [];
for (let i = 0; i < LAUNCHES; i++) {
  const launched = await launchApp(`bench-start-${i}`, { binary, database });
  starts.push((await firstScreenAt(launched.app)) - launched.requestedAt);
  await launched.close();
}

const launched = await launchApp("bench-window", { binary, database });
const app = launched.app;
await firstScreenAt(app);
// The window opens on the sign-in screen; the demo church signs in without a password (a build
// from before sign-in opens on the dashboard).
if (await app.execute("return document.querySelector('#demo-sign-in') !== null")) await app.click("#demo-sign-in");
const office = await typeAndMeasure(app, "#people-search", "office-search");
const afterOffice = memory(database);

// The station: kiosk mode on the first campus, for a session of Foundations of Faith.
await app.executeAsync(
  `const done = arguments[arguments.length - 1];
   const invoke = window.__TAURI_INTERNALS__.invoke;
   (async () => {
     const campuses = await invoke("list_records", { kind: "campus" });
     const courses = await invoke("list_courses");
     const course = courses.find((c) => c.name === "Foundations of Faith");
     const detail = await invoke("course_detail", { courseId: course.id });
     await invoke("start_kiosk", { request: { campus_id: campuses.items[0].id, session_ids: [detail.sessions[0].id], station: "W", pin: "2468", pin_again: "2468" } });
   })().then(() => done(null), (e) => done(String(e?.message ?? e)));`,
);
await app.execute("location.reload()");
await app.waitFor("#kiosk-search", { timeout: 30_000 });
const station = await typeAndMeasure(app, "#kiosk-search", "station-search");
// The station's search call alone, from the page and back (the window's IPC and Rust's work,
// without the DOM), for telling where a keystroke's time goes.
const calls = await app.executeAsync(
  `const done = arguments[arguments.length - 1];
   const invoke = window.__TAURI_INTERNALS__.invoke;
   (async () => {
     const status = await invoke("kiosk_status");
     const session = status.sessions[0].id;
     const times = [];
     for (const text of ["ga", "smi", "mar", "lee", "5309", "okaf"]) {
       for (let i = 0; i < 30; i++) {
         const t = performance.now();
         await invoke("kiosk_search", { text, classSessionId: session });
         times.push(performance.now() - t);
       }
     }
     return times.sort((a, b) => a - b);
   })().then(done, (e) => done(String(e)));`,
);
const afterStation = memory(database);
await launched.close();

const line = (label, values, target = "") => rows.push(`| ${label} | ${ms(percentile(values, 0.5))} | ${ms(percentile(values, 0.99))} | ${target} |`);
console.log(`\n| keystroke to (release window, ${office.dom.length} + ${station.dom.length} keystrokes) | p50 | p99 | target |`);
console.log("|---|---|---|---|");
line("office people search: results in the DOM", office.dom, "p99 <= 16 ms");
line("office people search: next painted frame", office.frame);
line("station family search: results in the DOM", station.dom, "p99 <= 16 ms");
line("station family search: next painted frame", station.frame);
if (Array.isArray(calls)) line("station family search: the call alone (IPC and Rust, no DOM)", calls);
console.log(rows.join("\n"));
console.log(`\n| measure | value | target |\n|---|---|---|`);
console.log(`| cold start to the first screen, median of ${starts.length} (${starts.map((s) => s.toFixed(0)).join(" / ")} ms) | ${ms(median(starts))} | <= 1 s |`);
for (const [when, m] of [["after the office search", afterOffice], ["after the station search", afterStation]]) {
  if (!m) continue;
  console.log(`| the app's own memory (anonymous), ${when} | ${(m.anonymous / 1024).toFixed(0)} MB | <= 150 MB |`);
  console.log(`| the database file mapped into it, ${when} | ${(m.mappedDatabase / 1024).toFixed(0)} MB | |`);
  console.log(`| the web process (proportional set), ${when} | ${(m.webPss / 1024).toFixed(0)} MB | |`);
}
