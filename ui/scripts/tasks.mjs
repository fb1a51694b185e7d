#!/usr/bin/env node
// One entry point for people and CI, on Debian/Ubuntu, macOS and Windows:
//   node ui/scripts/tasks.mjs app    installs what is missing, builds the UI, runs the app
//   node ui/scripts/tasks.mjs test   installs what is missing, builds the UI, checks formatting and
//                                    lints, runs every test (the UI's unit tests, cargo's, then the
//                                    end-to-end tests through the real app)
//   node ui/scripts/tasks.mjs bench-team   the team-sync benchmark, on a private PostgreSQL
//   node ui/scripts/tasks.mjs bench-window what a person feels: the release window over WebDriver
// It needs only Node.js (20+) and Rust (rustup) to start; everything else it installs.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ui = join(root, "ui");
const isWindows = process.platform === "win32";

// Debian packages the Tauri build and the Linux tests need (WebKitGTK, a virtual display, a
// real Secret Service keychain for the keychain tests).
const DEBIAN_PACKAGES = [
  "libwebkit2gtk-4.1-dev", "libgtk-3-dev", "librsvg2-dev", "libssl-dev", "libdbus-1-dev", "pkg-config", "build-essential",
  "xvfb", "webkit2gtk-driver", "gnome-keyring", "dbus",
  // The team-sync tests run against a real PostgreSQL server (a private one, on loopback).
  "postgresql",
  // The label-printing tests print through a private CUPS to its cups-pdf virtual printer, and
  // read the PDFs back with poppler's pdfinfo and pdftotext.
  "cups", "cups-client", "printer-driver-cups-pdf", "poppler-utils",
];

function run(command, args, options = {}) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, shell: isWindows, ...options });
  if (result.error) fail(`could not start ${command}: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function succeeds(command, args) {
  const result = spawnSync(command, args, { stdio: "ignore", shell: isWindows });
  return !result.error && result.status === 0;
}

function fail(message) {
  console.error(`\nerror: ${message}`);
  process.exit(1);
}

function installSystemPackages() {
  if (process.platform === "linux") {
    if (!succeeds("dpkg", ["--version"])) {
      console.log("Not a Debian-family system: install WebKitGTK 4.1, GTK 3 and librsvg development packages yourself (see README).");
      return;
    }
    const installed = (name) => (spawnSync("dpkg-query", ["-W", "-f=${Status}", name]).stdout ?? "").toString().includes("install ok installed");
    const missing = DEBIAN_PACKAGES.filter((name) => !installed(name));
    if (missing.length === 0) return;
    const sudo = process.getuid && process.getuid() === 0 ? [] : ["sudo"];
    const apt = (...args) => sudo.length ? run("sudo", ["apt-get", ...args]) : run("apt-get", args);
    apt("update", "-q");
    apt("install", "-y", "-q", "--no-install-recommends", ...missing);
  } else if (process.platform === "darwin") {
    if (!succeeds("xcode-select", ["-p"])) fail("install the Xcode command line tools first: xcode-select --install");
  } else if (isWindows) {
    // Windows 10/11 ship WebView2; the Rust MSVC toolchain brings the linker (rustup's default).
    if (!succeeds("where", ["link.exe"]) && !succeeds("rustup", ["show"])) fail("install Rust with rustup (MSVC toolchain) first: https://rustup.rs");
  }
}

function checkRust() {
  if (!succeeds("cargo", ["--version"])) fail("Rust is not installed. Install it with rustup (https://rustup.rs), then run this again.");
}

// The code is formatted and lint-free before any test runs; the UI's pure helpers have unit
// tests of their own (node --test, no browser needed).
function checkStyle() {
  if (!succeeds("cargo", ["fmt", "--version"]) || !succeeds("cargo", ["clippy", "--version"])) {
    fail("rustfmt and clippy are missing: rustup component add rustfmt clippy");
  }
  run("cargo", ["fmt", "--all", "--check"]);
  run("cargo", ["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]);
  run("npm", ["test"], { cwd: ui });
}

function installUi() {
  const lock = join(ui, "package-lock.json");
  const marker = join(ui, "node_modules", ".package-lock.json");
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ui });
  }
  run("npm", ["run", "build"], { cwd: ui });
}

// The sign-in tests use the real OS keychain. On Linux that is a Secret Service: the tests run
// in a private D-Bus session with a throw-away, unlocked GNOME Keyring, so they never touch the
// developer's own keyring. On macOS and Windows they use the login keychain / Credential Manager.
function runTests(cargoArgs) {
  const hub = startTestHub();
  process.env.CCT_TEST_HUB_URL = hub.url;
  process.env.CCT_TEST_HUB_PASSWORD = hub.password;
  startTestCups();
  if (process.platform !== "linux") {
    run("cargo", cargoArgs);
    return;
  }
  const keyringHome = mkdtempSync(join(tmpdir(), "cct-keyring-"));
  const script = `printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec cargo ${cargoArgs.join(" ")}`;
  run("dbus-run-session", ["--", "sh", "-c", script], { env: { ...process.env, XDG_DATA_HOME: keyringHome } });
}

// The team-sync tests need a PostgreSQL server. Where CCT_TEST_HUB_URL is set, that one is
// used (any machine: the tests create and drop their own databases). Otherwise, on Linux, a
// private server is started from Debian's package: its own data directory, on loopback, with a
// password, stopped when this script ends.
function startTestHub() {
  if (process.env.CCT_TEST_HUB_URL) return { url: process.env.CCT_TEST_HUB_URL, password: process.env.CCT_TEST_HUB_PASSWORD ?? "" };
  if (process.platform !== "linux") fail("set CCT_TEST_HUB_URL (and CCT_TEST_HUB_PASSWORD) to a PostgreSQL server the tests may create databases on");
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) fail("PostgreSQL is not installed (apt-get install postgresql)");
  const bin = (name) => `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  const dir = mkdtempSync(join(tmpdir(), "cct-hub-"));
  const password = `hub-${process.pid}-${Date.now()}`;
  const port = String(55000 + (process.pid % 5000));
  writeFileSync(join(dir, "pw"), password);
  // PostgreSQL refuses to run as root: as root, the server runs as the package's postgres user.
  const asRoot = process.getuid && process.getuid() === 0;
  if (asRoot) {
    const { uid, gid } = statSync("/var/lib/postgresql");
    chownSync(dir, uid, gid);
    chownSync(join(dir, "pw"), uid, gid);
  }
  chmodSync(dir, 0o700);
  const as = (command, args) => (asRoot ? run("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "ignore" }) : run(command, args, { stdio: "ignore" }));
  as(bin("initdb"), ["-D", join(dir, "data"), "-U", "cct_test", "--pwfile", join(dir, "pw"), "-A", "scram-sha-256", "-E", "UTF8"]);
  as(bin("pg_ctl"), ["-D", join(dir, "data"), "-l", join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
  process.on("exit", () => spawnSync(asRoot ? "runuser" : bin("pg_ctl"), asRoot ? ["-u", "postgres", "--", bin("pg_ctl"), "-D", join(dir, "data"), "-m", "fast", "stop"] : ["-D", join(dir, "data"), "-m", "fast", "stop"], { stdio: "ignore" }));
  console.log(`PostgreSQL for the team-sync tests: 127.0.0.1:${port}`);
  return { url: `postgres://cct_test@127.0.0.1:${port}/postgres`, password };
}

// The label-printing tests need a CUPS server with a PDF printer. Where CCT_TEST_CUPS_SERVER is
// set, that one is used (with its printer CCT_TEST_CUPS_PRINTER and cups-pdf's output folder
// CCT_TEST_CUPS_PDF_DIR). Otherwise, on Linux, a private cupsd is started: its own config,
// spool and log folders under a temporary folder, listening on loopback only, stopped when this
// script ends. cups-pdf writes as root, so the private server needs root (CI runs as root).
function startTestCups() {
  if (process.env.CCT_TEST_CUPS_SERVER) return;
  if (process.platform !== "linux") fail("set CCT_TEST_CUPS_SERVER to a CUPS server with a cups-pdf printer (CCT_TEST_CUPS_PRINTER) for the label-printing tests");
  if (!(process.getuid && process.getuid() === 0)) fail("the label-printing tests start a private CUPS whose cups-pdf printer runs as root: run the tests as root, or set CCT_TEST_CUPS_SERVER");
  const dir = mkdtempSync(join(tmpdir(), "cct-cups-"));
  for (const sub of ["spool", "cache", "state", "log", "ppd"]) mkdirSync(join(dir, sub));
  // CUPS's filters run as the lp user and write their temporary files here.
  mkdirSync(join(dir, "tmp"));
  chmodSync(join(dir, "tmp"), 0o1777);
  chmodSync(dir, 0o755);
  const port = 56000 + (process.pid % 5000);
  writeFileSync(join(dir, "cupsd.conf"), [
    `Listen 127.0.0.1:${port}`, "LogLevel warn", "WebInterface No", "Browsing No", "DefaultAuthType None",
    "<Location />", "  Order allow,deny", "  Allow all", "</Location>",
    "<Location /admin>", "  Order allow,deny", "  Allow all", "</Location>",
    "<Policy default>", "  <Limit All>", "    Order deny,allow", "  </Limit>", "</Policy>", "",
  ].join("\n"));
  writeFileSync(join(dir, "cups-files.conf"), [
    `ServerRoot ${dir}`, `RequestRoot ${join(dir, "spool")}`, `TempDir ${join(dir, "tmp")}`, `CacheDir ${join(dir, "cache")}`,
    `StateDir ${join(dir, "state")}`, `ErrorLog ${join(dir, "log", "error_log")}`, `AccessLog ${join(dir, "log", "access_log")}`,
    `PageLog ${join(dir, "log", "page_log")}`, "ServerBin /usr/lib/cups", "DataDir /usr/share/cups", "SystemGroup root", "",
  ].join("\n"));
  const server = spawn("/usr/sbin/cupsd", ["-f", "-c", join(dir, "cupsd.conf"), "-s", join(dir, "cups-files.conf")], { stdio: "ignore" });
  // The server must not keep this script alive once the tests end: it is stopped on exit.
  server.unref();
  process.on("exit", () => server.kill());
  const env = { ...process.env, CUPS_SERVER: `127.0.0.1:${port}` };
  const deadline = Date.now() + 15000;
  while (!(spawnSync("lpstat", ["-r"], { env }).stdout ?? "").toString().includes("is running")) {
    if (Date.now() > deadline) fail(`the private CUPS did not start; see ${join(dir, "log", "error_log")}`);
    spawnSync("sleep", ["0.2"]);
  }
  // pdftocairo turns the PDF into PostScript with its text intact, so the PDF cups-pdf makes
  // again still reads as text.
  run("lpadmin", ["-p", "cct-pdf", "-v", "cups-pdf:/", "-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd", "-o", "pdftops-renderer-default=pdftocairo", "-E"], { env, stdio: "ignore" });
  // The server's default, as on an office computer: the station offers it as "(default)".
  run("lpadmin", ["-d", "cct-pdf"], { env, stdio: "ignore" });
  process.env.CCT_TEST_CUPS_SERVER = `127.0.0.1:${port}`;
  process.env.CCT_TEST_CUPS_PRINTER = "cct-pdf";
  process.env.CCT_TEST_CUPS_PDF_DIR = join(homedir(), "PDF");
  console.log(`CUPS for the label-printing tests: 127.0.0.1:${port}, printer cct-pdf`);
}

// End-to-end tests drive the real app through tauri-driver and WebKitWebDriver, in a virtual
// display (xvfb-run) with its own D-Bus session and keyring. tauri-driver drives WebKitGTK
// (Linux) and WebView2 (Windows, with msedgedriver); there is no WebDriver for macOS's WKWebView.
/// A virtual display (Linux) with a private D-Bus session and keyring, for the real window.
function inWindow(command) {
  const keyringHome = mkdtempSync(join(tmpdir(), "cct-keyring-"));
  const script = `printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec ${command}`;
  run("xvfb-run", ["-a", "-s", "-screen 0 1280x1000x24", "dbus-run-session", "--", "sh", "-c", script], { env: { ...process.env, XDG_DATA_HOME: keyringHome } });
}

// The window benchmark: the release app over WebDriver on the check-in benchmark's church of
// 100,000 people (built by that benchmark the first time, then kept in CCT_BENCH_CHURCH).
function benchWindow() {
  if (process.platform !== "linux") fail("the window benchmark drives WebKitGTK through tauri-driver, on Linux");
  if (!succeeds("tauri-driver", ["--help"])) run("cargo", ["install", "tauri-driver", "--locked"]);
  const church = process.env.CCT_BENCH_CHURCH ?? join(tmpdir(), "cct-bench-church.sqlite");
  if (!existsSync(church)) run("cargo", ["bench", "--locked", "--bench", "checkin"], { env: { ...process.env, CCT_BENCH_CHURCH: church } });
  run("cargo", ["build", "--release", "--locked", "--bin", "church-course-tracker"]);
  process.env.CCT_BENCH_CHURCH = church;
  inWindow("node benches/window.mjs");
}

function runEndToEndTests() {
  if (process.platform !== "linux") {
    console.log("\nEnd-to-end tests run on Linux (tauri-driver + WebKitWebDriver); skipped here.");
    return;
  }
  if (!succeeds("tauri-driver", ["--help"])) run("cargo", ["install", "tauri-driver", "--locked"]);
  run("cargo", ["build", "--locked", "--bin", "church-course-tracker"]);
  // The Planning Center test drives the window against the fake's own binary.
  run("cargo", ["build", "--locked", "-p", "cct-pco-fake", "--bin", "pco-fake"]);
  inWindow("node --test tests/e2e/");
}

const task = process.argv[2];
switch (task) {
  case "app":
    installSystemPackages();
    checkRust();
    installUi();
    run("cargo", ["run", "--bin", "church-course-tracker"]);
    break;
  case "test":
    installSystemPackages();
    checkRust();
    installUi();
    checkStyle();
    runTests(["test", "--workspace", "--locked"]);
    runEndToEndTests();
    break;
  case "bench-team": {
    installSystemPackages();
    checkRust();
    const hub = startTestHub();
    run("cargo", ["bench", "--locked", "-p", "cct-team", "--bench", "exchange"], { env: { ...process.env, CCT_TEST_HUB_URL: hub.url, CCT_TEST_HUB_PASSWORD: hub.password } });
    break;
  }
  case "bench-window":
    installSystemPackages();
    checkRust();
    installUi();
    benchWindow();
    break;
  default:
    fail("usage: node ui/scripts/tasks.mjs app|test|bench-team|bench-window");
}
