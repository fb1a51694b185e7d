// A small W3C WebDriver client for driving the real app through tauri-driver, which hands the
// session to WebKitWebDriver (Linux). Only the commands the end-to-end tests use.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import path from "node:path";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/// Starts tauri-driver; the app it launches inherits `env` (its database, for one).
export async function startDriver(env) {
  const port = await freePort();
  // The system may hand the same free port out twice in a row; tauri-driver told to proxy to
  // its own port loops, logging without end.
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  // Its own process group, so stopping it also stops WebKitWebDriver and the app it launched,
  // even when the app does not quit when the session ends.
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  // The driver's output is kept for an error message: its last part is enough.
  let log = "";
  const keep = (d) => (log = (log + d).slice(-100_000));
  driver.stdout.on("data", keep);
  driver.stderr.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/status`);
      return { url, stop: () => stopGroup(driver), log: () => log };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  stopGroup(driver);
  throw new Error(`tauri-driver did not start:\n${log}`);
}

function stopGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
  // An app left running must not hold the test process open through these pipes.
  child.stdout?.destroy();
  child.stderr?.destroy();
}

export class Session {
  constructor(url, id) {
    this.base = `${url}/session/${id}`;
    this.url = url;
  }

  static async start(url, application) {
    const response = await call("POST", `${url}/session`, { capabilities: { alwaysMatch: { "tauri:options": { application } } } });
    return new Session(url, response.sessionId);
  }

  cmd(method, route, body) {
    return call(method, `${this.base}${route}`, body);
  }

  async find(css) {
    const found = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return found[ELEMENT];
  }

  async findAll(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.map((e) => e[ELEMENT]);
  }

  /// Waits until `css` matches a displayed element (and, if given, its text contains `text`).
  async waitFor(css, { text, timeout = 20_000 } = {}) {
    const deadline = Date.now() + timeout;
    let last = "";
    while (Date.now() < deadline) {
      try {
        for (const id of await this.findAll(css)) {
          const shown = await this.cmd("GET", `/element/${id}/displayed`).catch(() => true);
          const content = await this.cmd("GET", `/element/${id}/text`);
          last = content;
          if (shown && (text === undefined || content.includes(text))) return id;
        }
      } catch (error) {
        last = String(error);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${css}${text ? ` containing "${text}"` : ""} (last seen: ${last.slice(0, 300)})`);
  }

  async click(css, options) {
    const id = await this.waitFor(css, options);
    await this.cmd("POST", `/element/${id}/click`, {});
  }

  async type(css, value) {
    const id = await this.waitFor(css);
    await this.cmd("POST", `/element/${id}/clear`, {});
    await this.cmd("POST", `/element/${id}/value`, { text: value });
  }

  async text(css) {
    return this.cmd("GET", `/element/${await this.waitFor(css)}/text`);
  }

  /// Chooses an option of a <select> by its visible label, as a person clicking it would.
  async choose(css, label) {
    const select = await this.waitFor(css);
    const options = await this.cmd("POST", `/element/${select}/elements`, { using: "css selector", value: "option" });
    for (const option of options.map((o) => o[ELEMENT])) {
      if ((await this.cmd("GET", `/element/${option}/text`)).trim() === label) {
        await this.cmd("POST", `/element/${option}/click`, {});
        return;
      }
    }
    throw new Error(`no option "${label}" in ${css}`);
  }

  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /// Runs `script`, which calls its last argument with the result.
  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  /// The window as it is, or scrolled so `css` is at the top first.
  async screenshot(dir, name, css) {
    if (css) await this.execute("document.querySelector(arguments[0])?.scrollIntoView({ block: 'start' })", [css]);
    const png = await this.cmd("GET", "/screenshot");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.png`), Buffer.from(png, "base64"));
  }

  async end() {
    await call("DELETE", this.base).catch(() => {});
  }
}

async function call(method, url, body) {
  // No WebDriver call may hang the suite: a stuck one fails its test instead.
  const response = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(120_000) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json.value ?? json).slice(0, 500)}`);
  return json.value;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/// Where a run's screenshots go: `CCT_SCREENSHOTS` (e.g. docs/screenshots) or a temp folder.
export const screenshots = process.env.CCT_SCREENSHOTS ?? path.join(os.tmpdir(), "cct-e2e-screenshots");

/// The debug build of the app on a fresh database of its own, driven over WebDriver; or, with
/// `binary` and `database`, that build on that database (the window benchmark's release build).
/// `env` adds to the app's environment (a short idle lock, for one).
export async function launchApp(name, { binary = "target/debug/church-course-tracker", database, env = {} } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `cct-e2e-${name}-`));
  const driver = await startDriver({ CCT_DATABASE: database ?? path.join(dataDir, "church.sqlite"), ...env });
  const requestedAt = Date.now();
  const app = await Session.start(driver.url, path.join(root, binary));
  return {
    app,
    dataDir,
    /// When the session (and so the app) was asked for, in milliseconds since the epoch.
    requestedAt,
    async close() {
      await app.end().catch(() => {});
      driver.stop();
      // What the app and the drivers printed (a panic, a crash of the web process), kept for
      // reading after a failed run.
      const logs = path.join(root, "target/e2e-logs");
      mkdirSync(logs, { recursive: true });
      writeFileSync(path.join(logs, `${name}.log`), driver.log());
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
