//! What the benchmarks share: the app's real commands on Tauri's mock runtime, called the way
//! the window calls them (IPC with the app's real configuration), and the percentile they
//! report.

// Each bench uses its part of what is here.
#![allow(dead_code)]

use serde_json::Value;
use std::time::Duration;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

/// The app around `core`, with its one window. Keep the `App` alive as long as the window.
pub fn window_on(core: cct_app::App) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = church_course_tracker::with_commands(mock_builder()).build(tauri::generate_context!()).unwrap();
    church_course_tracker::manage(app.handle(), core);
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, webview)
}

pub fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|body| body.deserialize::<Value>().unwrap())
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The key the app keeps in the keychain for the database at `path`.
pub fn key_of(path: &std::path::Path) -> String {
    let name = std::path::absolute(path).unwrap().display().to_string();
    cct_signin::KeychainSecret::database_key(&name).unwrap().load().unwrap().expect("the app keeps the key")
}

/// A plain copy of the encrypted database at `from` (its key from the keychain), as the
/// release before encryption wrote them: the kept church is plain so that any run, with a
/// keychain of its own, can start from it (the app encrypts its copy when it opens it).
pub fn export_plain(from: &std::path::Path, to: &std::path::Path) {
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", to.display()));
    }
    let conn = rusqlite::Connection::open(from).unwrap();
    conn.pragma_update(None, "key", format!("x'{}'", key_of(from))).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [to.to_str().unwrap()]).unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    conn.execute_batch("DETACH DATABASE plain").unwrap();
}

/// Copies a database file with its write-ahead log (nothing is writing while it is copied).
pub fn copy_database(from: &std::path::Path, to: &std::path::Path) {
    std::fs::copy(from, to).unwrap();
    let wal = |path: &std::path::Path| std::path::PathBuf::from(format!("{}-wal", path.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    } else {
        let _ = std::fs::remove_file(wal(to));
    }
}
