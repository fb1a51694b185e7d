//! The desktop commands, invoked through Tauri's IPC with the app's real configuration and
//! capabilities (`generate_context!`), against a real database file. No display is needed.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

struct Harness {
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    app: tauri::App<tauri::test::MockRuntime>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let no_browser: cct_app::OpenBrowser = std::sync::Arc::new(|_| Err("no browser in this test".into()));
    harness_with_browser(no_browser)
}

fn harness_with_browser(browser: cct_app::OpenBrowser) -> Harness {
    harness_in(tempfile::tempdir().unwrap(), browser)
}

/// The app on the database in `dir`: a new computer, or the same one started again.
fn harness_in(dir: tempfile::TempDir, browser: cct_app::OpenBrowser) -> Harness {
    let core = cct_app::App::open(&dir.path().join("church.sqlite"), browser).unwrap();
    let app = church_course_tracker::with_commands(mock_builder())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(tauri::generate_context!())
        .unwrap();
    church_course_tracker::manage(app.handle(), core);
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { webview, app, _dir: dir }
}

/// Quits the app (its store closed, as on exit) and starts it again on the same database.
fn restart(h: Harness) -> Harness {
    let Harness { webview, app, _dir: dir } = h;
    app_of_tauri(&app).store().close();
    drop(webview);
    drop(app);
    harness_in(dir, std::sync::Arc::new(|_| Err("no browser in this test".into())))
}

/// The window as the app starts it on the database at `path`, through its start-up (which may
/// stop at a problem screen), rather than with a store already opened.
fn started_at(path: &std::path::Path, dir: tempfile::TempDir) -> Harness {
    let app = church_course_tracker::with_commands(mock_builder())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(tauri::generate_context!())
        .unwrap();
    church_course_tracker::startup::start(app.handle(), path);
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { webview, app, _dir: dir }
}

fn app_of_tauri(app: &tauri::App<tauri::test::MockRuntime>) -> cct_app::App {
    use tauri::Manager;
    app.state::<cct_app::App>().inner().clone()
}

/// The password the first administrator of every new office in these tests chose.
const ADMIN_PASSWORD: &str = "the office's own password";

/// Sets up a new church's office through the command, as the first-run screen does: its
/// administrator is then signed in.
fn set_up_office(h: &Harness, first_name: &str, last_name: &str, email: &str) -> Value {
    invoke(
        h,
        "set_up_office",
        json!({ "first": { "first_name": first_name, "last_name": last_name, "email": email,
                           "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD } }),
    )
    .unwrap()
}

/// The app the commands share, as the core crates see it.
fn app_of(h: &Harness) -> cct_app::App {
    app_of_tauri(&h.app)
}

fn store_of(h: &Harness) -> cct_store::Store {
    app_of(h).store().clone()
}

/// Every text (and blob) in every row of a table, for looking for what must not be there.
fn table_text(store: &cct_store::Store, table: &str) -> String {
    store
        .read(|conn| {
            let mut statement = conn.prepare(&format!("SELECT * FROM {table}"))?;
            let columns = statement.column_count();
            let mut rows = statement.query([])?;
            let mut text = String::new();
            while let Some(row) = rows.next()? {
                for i in 0..columns {
                    if let rusqlite::types::ValueRef::Text(bytes) | rusqlite::types::ValueRef::Blob(bytes) =
                        row.get_ref(i)?
                    {
                        text.push_str(&String::from_utf8_lossy(bytes));
                        text.push('\n');
                    }
                }
            }
            Ok(text)
        })
        .unwrap()
}

mod access;
mod backups;
mod kiosk;
mod office;
mod planning_center;
mod printing;
mod reports;
mod team;
mod updates;

fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&h.webview, request).map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn first_run_offers_the_demo_and_loading_it_signs_in_the_demo_admin() {
    let h = harness();
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["people"], 0);
    assert_eq!(status["signed_in"], Value::Null);
    assert_eq!(status["demo_mode"], false);

    let not_yet = invoke(&h, "list_courses", json!({})).unwrap_err();
    assert_eq!(not_yet["code"], "signed_out");

    let summary = invoke(&h, "load_demo_church", json!({})).unwrap();
    assert_eq!(summary["people"], 300);
    assert_eq!(summary["campuses"], 2);

    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["people"], 300);
    assert_eq!(status["demo_mode"], true);
    assert_eq!(status["pending_changes"], 0);
    let permissions = status["signed_in"]["permissions"].as_array().unwrap();
    assert!(permissions.contains(&json!("enrollments.override_prerequisites")));

    let courses = invoke(&h, "list_courses", json!({})).unwrap();
    let names: Vec<&str> = courses.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Foundations of Faith") && names.contains(&"Growing in Faith"));

    let again = invoke(&h, "load_demo_church", json!({})).unwrap_err();
    assert_eq!(again["code"], "conflict");
    assert!(again["message"].as_str().unwrap().contains("empty database"));
}

#[test]
fn searching_people_goes_through_the_store_and_its_index() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    let found = invoke(&h, "search_people", json!({ "query": "smith" })).unwrap();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|p| p["last_name"].as_str().unwrap().to_lowercase().starts_with("smith")
        || p["first_name"].as_str().unwrap().to_lowercase().starts_with("smith")
        || p["email"].as_str().unwrap_or("").contains("smith")));
    let missing_argument = invoke(&h, "search_people", json!({})).unwrap_err();
    assert!(missing_argument.as_str().unwrap_or_default().contains("query"), "{missing_argument}");
}

#[test]
fn commands_from_an_unknown_origin_are_refused() {
    let h = harness();
    let request = InvokeRequest {
        cmd: "app_status".into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "https://evil.example.com".parse().unwrap(),
        body: InvokeBody::Json(json!({})),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    assert!(get_ipc_response(&h.webview, request).is_err());
}

#[test]
fn a_database_another_app_holds_is_explained_in_the_window_and_opened_once_it_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    let first = cct_app::App::open(&path, std::sync::Arc::new(|_| Ok(()))).unwrap();
    let h = started_at(&path, dir);

    let problem = invoke(&h, "startup_problem", json!({})).unwrap();
    assert_eq!(problem["code"], "store_in_use", "{problem}");
    assert!(problem["message"].as_str().unwrap().contains("already open"), "{problem}");
    let still = invoke(&h, "retry_start", json!({})).unwrap_err();
    assert_eq!(still["code"], "store_in_use");

    first.store().close();
    drop(first);
    invoke(&h, "retry_start", json!({})).unwrap();
    assert_eq!(invoke(&h, "startup_problem", json!({})).unwrap(), Value::Null);
    assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["people"], 0);
}
