//! Backups through the commands: only an administrator sets them up or backs up; the folder and
//! passphrase are checked; the last `keep` backups are kept; the passphrase appears nowhere but
//! the keychain. And a keychain that lost the database key opens nothing, never a new empty
//! database: the backup brings the data back.

use super::*;
use std::path::Path;

const PASSPHRASE: &str = "unless the Lord builds the house";

fn backups_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".cctbackup"))
        .collect();
    names.sort();
    names
}

#[test]
fn backups_are_an_administrators_checked_rotated_and_never_show_the_passphrase() {
    let h = harness();
    let not_yet = invoke(&h, "back_up_now", json!({})).unwrap_err();
    assert_eq!(not_yet["code"], "signed_out");
    set_up_office(&h, "Pat", "Admin", "pat@example.org");
    let status = invoke(&h, "backup_status", json!({})).unwrap();
    assert_eq!(status["folder"], Value::Null);
    assert_eq!(status["passphrase_set"], false);
    let none = invoke(&h, "back_up_now", json!({})).unwrap_err();
    assert_eq!(none["code"], "no_backup_folder");

    let folder = tempfile::tempdir().unwrap();
    let folder_text = folder.path().display().to_string();
    let short =
        invoke(&h, "set_up_backups", json!({ "setup": { "folder": folder_text, "passphrase": "short", "keep": 2 } }))
            .unwrap_err();
    assert_eq!((short["code"].as_str(), short["field"].as_str()), (Some("invalid_input"), Some("passphrase")));
    let missing = invoke(
        &h,
        "set_up_backups",
        json!({ "setup": { "folder": format!("{folder_text}/not-there"), "passphrase": PASSPHRASE, "keep": 2 } }),
    )
    .unwrap_err();
    assert_eq!(missing["field"], "folder");
    let status = invoke(
        &h,
        "set_up_backups",
        json!({ "setup": { "folder": folder_text, "passphrase": PASSPHRASE, "keep": 2 } }),
    )
    .unwrap();
    assert_eq!(status["passphrase_set"], true);
    assert_eq!(status["keep"], 2);

    for _ in 0..3 {
        let made = invoke(&h, "back_up_now", json!({})).unwrap();
        assert_eq!(made["reason"], "on demand");
        assert_eq!(made["people"], 1);
        // Names carry the second they were made in.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert_eq!(backups_in(folder.path()).len(), 2, "the last two are kept");
    let status = invoke(&h, "backup_status", json!({})).unwrap();
    assert_eq!(status["last_good_age_hours"], 0);
    assert_eq!(status["in_folder"].as_array().unwrap().len(), 2);

    // The passphrase is nowhere but the keychain.
    let store = store_of(&h);
    let settings = std::fs::read_to_string(format!("{}.backups.json", store.path().display())).unwrap();
    assert!(!settings.contains(PASSPHRASE));
    assert!(!table_text(&store, "audit_log").contains(PASSPHRASE));
    assert!(table_text(&store, "audit_log").contains("on demand"), "each backup is in the audit log");
    assert!(!status.to_string().contains(PASSPHRASE));

    // Signed out, nothing is allowed.
    invoke(&h, "sign_out", json!({})).unwrap();
    assert_eq!(invoke(&h, "back_up_now", json!({})).unwrap_err()["code"], "signed_out");
    let refused =
        invoke(&h, "set_up_backups", json!({ "setup": { "folder": folder_text, "passphrase": null, "keep": 5 } }));
    assert_eq!(refused.unwrap_err()["code"], "signed_out");
}

#[test]
fn a_lost_database_key_opens_nothing_and_the_backup_brings_the_data_back() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness_in(dir, std::sync::Arc::new(|_| Err("no browser in this test".into())));
    set_up_office(&h, "Pat", "Admin", "pat@example.org");
    let folder = tempfile::tempdir().unwrap();
    invoke(
        &h,
        "set_up_backups",
        json!({ "setup": { "folder": folder.path().display().to_string(), "passphrase": PASSPHRASE } }),
    )
    .unwrap();
    let made = invoke(&h, "back_up_now", json!({})).unwrap();
    let database = store_of(&h).path().to_path_buf();
    let Harness { webview, app, _dir: dir } = h;
    app_of_tauri(&app).store().close();
    drop((webview, app));

    // The keychain is reset: its entry for this database's key is gone.
    let name = std::path::absolute(&database).unwrap().display().to_string();
    cct_signin::KeychainSecret::database_key(&name).unwrap().clear().unwrap();
    let before = std::fs::read(&database).unwrap();
    let no_browser: cct_app::OpenBrowser = std::sync::Arc::new(|_| Err("no browser".into()));
    let refused = cct_app::App::open(&database, no_browser.clone()).err().expect("refused");
    assert_eq!(refused.code, cct_domain::ErrorCode::DatabaseKeyMissing, "{}", refused.message);
    assert_eq!(
        std::fs::read(&database).unwrap(),
        before,
        "the database is left as it was, not replaced by an empty one"
    );

    // The recovery screen's restore: the backup, with its passphrase.
    let backup = made["path"].as_str().unwrap();
    let restored = cct_app::recovery::restore_into(&database, Path::new(backup), PASSPHRASE, None).unwrap();
    assert!(restored.set_aside.is_some(), "the unreadable file is kept aside");
    let h = harness_in(dir, no_browser);
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["people"], 1, "the office is back");
    let audit = table_text(&store_of(&h), "audit_log");
    assert!(
        audit.contains("restored from a backup") && audit.contains(backup),
        "the restore is in the restored audit log"
    );
}

/// Takes the last schema step back out of a closed database, as if it were made by the
/// previous release: its ledger row, and the column it added.
fn undo_last_step(database: &Path) {
    let name = std::path::absolute(database).unwrap().display().to_string();
    let key = cct_signin::KeychainSecret::database_key(&name).unwrap().load().unwrap().unwrap();
    let conn = rusqlite::Connection::open(database).unwrap();
    conn.pragma_update(None, "key", format!("x'{key}'")).unwrap();
    conn.execute_batch(
        "DELETE FROM _sqlx_migrations WHERE version = 20261203000009;
         ALTER TABLE team_device DROP COLUMN catch_up_own_changes;",
    )
    .unwrap();
}

#[test]
fn an_upgrade_is_backed_up_first_beside_the_database_when_the_folder_is_out() {
    let h = harness();
    set_up_office(&h, "Pat", "Admin", "pat@example.org");
    let folder = tempfile::tempdir().unwrap();
    invoke(
        &h,
        "set_up_backups",
        json!({ "setup": { "folder": folder.path().display().to_string(), "passphrase": PASSPHRASE } }),
    )
    .unwrap();
    let database = store_of(&h).path().to_path_buf();
    let upgrade_backups = |folder: &Path| -> Vec<String> {
        backups_in(folder).into_iter().filter(|name| name.contains("-upgrade-")).collect()
    };

    let h = {
        let Harness { webview, app, _dir } = h;
        app_of_tauri(&app).store().close();
        drop((webview, app));
        undo_last_step(&database);
        harness_in(_dir, std::sync::Arc::new(|_| Err("no browser".into())))
    };
    let made = upgrade_backups(folder.path());
    assert_eq!(made.len(), 1, "one backup before the upgrade: {made:?}");
    let contents = cct_app::recovery::inspect(&folder.path().join(&made[0]), PASSPHRASE).unwrap();
    assert_eq!(contents.people, 1);
    let status = cct_app::backups::status_at(&database, chrono::Utc::now()).unwrap();
    assert_eq!(status.last_good.map(|last| last.reason).as_deref(), Some("before an upgrade"));

    // The USB stick is out at the next upgrade: the backup goes beside the database.
    let Harness { webview, app, _dir } = h;
    app_of_tauri(&app).store().close();
    drop((webview, app));
    undo_last_step(&database);
    let out = folder.path().to_path_buf();
    drop(folder);
    assert!(!out.exists());
    let _h = harness_in(_dir, std::sync::Arc::new(|_| Err("no browser".into())));
    let beside = database.parent().unwrap().join("backups-before-upgrade");
    assert_eq!(upgrade_backups(&beside).len(), 1, "the upgrade still has its backup");
}

#[test]
fn a_plain_database_is_encrypted_beside_the_window_which_says_so_meanwhile() {
    // A database as the release before encryption left it: plain, with a church in it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    {
        let h = harness();
        invoke(&h, "load_demo_church", json!({})).unwrap();
        let source = store_of(&h).path().to_path_buf();
        let name = std::path::absolute(&source).unwrap().display().to_string();
        let key = cct_signin::KeychainSecret::database_key(&name).unwrap().load().unwrap().unwrap();
        let conn = rusqlite::Connection::open(&source).unwrap();
        conn.pragma_update(None, "key", format!("x'{key}'")).unwrap();
        conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [path.to_str().unwrap()]).unwrap();
        conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    }
    assert_eq!(cct_store::db::encryption::inspect(&path).unwrap(), cct_store::db::FileKind::Plain);

    let h = started_at(&path, dir);
    let mut seen_opening = false;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let problem = invoke(&h, "startup_problem", json!({})).unwrap();
        if problem.is_null() {
            break;
        }
        assert_eq!(problem["code"], "database_opening", "{problem}");
        seen_opening = true;
        // Nothing else starts meanwhile: no second opening, no recovery action. (The opening
        // may end between two calls: then a retry finds the app open, and starting afresh is
        // refused because the database is open.)
        if let Err(refused) = invoke(&h, "retry_start", json!({})) {
            assert_eq!(refused["code"], "database_opening");
        }
        let afresh = invoke(&h, "start_afresh", json!({})).unwrap_err();
        assert!(afresh["code"] == "database_opening" || afresh["code"] == "permission_denied", "{afresh}");
        assert!(std::time::Instant::now() < deadline, "the opening ends");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["people"], 300, "every person is there, encrypted");
    assert_eq!(cct_store::db::encryption::inspect(&path).unwrap(), cct_store::db::FileKind::Encrypted);
    eprintln!("the window said the data was being encrypted: {seen_opening}");
}
