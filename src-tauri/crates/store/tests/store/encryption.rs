//! Encryption at rest, backups and restores, on real files: what a copied file shows, a plain
//! database converted with every row kept, a backup restored elsewhere with the passphrase
//! alone, and files the key cannot open refused clearly.

use crate::common::*;
use cct_domain::records::{Person, RequirementType, Severity, SpecialRequirement, Visibility};
use cct_domain::ErrorCode;
use cct_store::db::backup::{self, BackupProgress};
use cct_store::db::encryption::{self, FileKind};
use cct_store::db::{Query, RestoredBy};
use cct_store::{records, DatabaseKey, Passphrase, Store, StoreError};
use std::path::Path;
use std::sync::Mutex;

fn by() -> RestoredBy {
    RestoredBy { person_id: None, at: "2026-12-02T10:00:00Z".into() }
}

const ALLERGY_NOTE: &str = "Severe peanut allergy: EpiPen in the blue bag";
const EMAIL: &str = "dorcas.joppa@example.org";
const SURNAME: &str = "Tabithason";

/// A store holding a person whose name, e-mail and allergy note the tests look for, and a
/// demo church beside them, so every kind of table has rows.
fn church_with_secrets(path: &Path, key: &DatabaseKey) -> Store {
    let store = Store::open(path, key).unwrap();
    cct_store::demo::load(&store, 60).unwrap();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let person = records::insert(
        &mut tx,
        Person {
            first_name: "Dorcas".into(),
            last_name: SURNAME.into(),
            email: Some(EMAIL.into()),
            ..Default::default()
        },
    )
    .unwrap();
    records::insert(
        &mut tx,
        SpecialRequirement {
            people_id: person.meta.id,
            requirement_type: RequirementType::Allergy,
            details: ALLERGY_NOTE.into(),
            severity: Severity::Critical,
            visibility: Visibility::Checkin,
            requires_action: true,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    store
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// Every row of every table, as text, to compare two databases whole.
fn everything(store: &Store) -> Vec<(String, Vec<String>)> {
    store
        .read(|conn| {
            let tables: Vec<String> = conn.column(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                   AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
                [],
            )?;
            tables
                .into_iter()
                .map(|table| {
                    let rows: Vec<String> = conn
                        .rows(&format!("SELECT * FROM \"{table}\" ORDER BY 1"), [])?
                        .into_iter()
                        .map(|row| serde_json::to_string(&row).unwrap())
                        .collect();
                    Ok((table, rows))
                })
                .collect()
        })
        .unwrap()
}

#[test]
fn the_database_and_its_wal_show_no_name_email_or_allergy_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    let store = church_with_secrets(&path, &key());
    let wal = std::fs::read(format!("{}-wal", path.display())).unwrap();
    assert!(wal.len() > 4096, "the WAL holds the last writes while the store is open");
    let database = std::fs::read(&path).unwrap();
    for bytes in [&database, &wal] {
        for secret in [ALLERGY_NOTE, EMAIL, SURNAME, "SQLite format 3"] {
            assert!(!contains(bytes, secret), "{secret:?} is readable in the file");
        }
    }
    assert_eq!(encryption::inspect(&path).unwrap(), FileKind::Encrypted);
    // The same text is there for the store (the test would prove nothing otherwise).
    let found: String =
        store.read(|c| c.scalar("SELECT details FROM special_requirement WHERE details = ?1", [ALLERGY_NOTE])).unwrap();
    assert_eq!(found, ALLERGY_NOTE);
    store.close();
    let closed = std::fs::read(&path).unwrap();
    assert!(!contains(&closed, ALLERGY_NOTE) && !contains(&closed, EMAIL) && !contains(&closed, SURNAME));
}

/// A plain copy of an encrypted database, as the release before encryption left its files.
fn plain_copy(encrypted: &Path, plain: &Path) {
    let conn = open_encrypted(encrypted);
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.to_str().unwrap()]).unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    conn.execute_batch("DETACH DATABASE plain").unwrap();
}

#[test]
fn a_plain_database_of_todays_schema_is_encrypted_on_first_open_with_every_row_kept() {
    let dir = tempfile::tempdir().unwrap();
    let original_path = dir.path().join("original.sqlite");
    let original = church_with_secrets(&original_path, &key());
    let before = everything(&original);
    original.close();
    let path = dir.path().join("church.sqlite");
    plain_copy(&original_path, &path);
    assert_eq!(encryption::inspect(&path).unwrap(), FileKind::Plain);
    assert!(contains(&std::fs::read(&path).unwrap(), ALLERGY_NOTE), "the copy is plain, as release 0.1 wrote");

    // A conversion that crashed earlier left half a copy behind: it is thrown away.
    std::fs::write(dir.path().join("church.sqlite.encrypting"), b"half a copy").unwrap();
    let converted = Store::open(&path, &key()).unwrap();
    assert_eq!(everything(&converted), before, "every row of every table is kept");
    converted.close();
    assert_eq!(encryption::inspect(&path).unwrap(), FileKind::Encrypted);
    assert!(!contains(&std::fs::read(&path).unwrap(), ALLERGY_NOTE));
    assert!(!dir.path().join("church.sqlite.encrypting").exists());
}

#[test]
fn a_conversion_that_cannot_finish_leaves_the_plain_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let original_path = dir.path().join("original.sqlite");
    church_with_secrets(&original_path, &key()).close();
    let path = dir.path().join("church.sqlite");
    plain_copy(&original_path, &path);
    let plain_bytes = std::fs::read(&path).unwrap();
    // The copy cannot be written where it must go (a folder is in the way).
    std::fs::create_dir(dir.path().join("church.sqlite.encrypting")).unwrap();
    assert!(Store::open(&path, &key()).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), plain_bytes, "the plain file is untouched");
    std::fs::remove_dir(dir.path().join("church.sqlite.encrypting")).unwrap();
    Store::open(&path, &key()).expect("converted once the way is clear").close();
}

#[test]
fn a_garbage_file_and_a_wrong_key_are_unreadable_not_a_crash_and_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    let bytes: Vec<u8> = (0..64 * 1024).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).unwrap();
    let refused = Store::open(&garbage, &key()).err().expect("refused");
    assert_eq!(refused.code(), ErrorCode::DatabaseUnreadable, "{refused}");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "the file is left as it was");

    let path = dir.path().join("church.sqlite");
    church_with_secrets(&path, &key()).close();
    let other_key = DatabaseKey::generate().unwrap();
    let refused = Store::open(&path, &other_key).err().expect("refused");
    assert!(matches!(refused, StoreError::Unreadable { .. }), "{refused}");
    assert!(!refused.to_string().contains(&other_key.to_hex()), "the message never shows a key");
    assert!(!format!("{other_key:?}").contains(&other_key.to_hex()));
    Store::open(&path, &key()).expect("the right key still opens it").close();

    // A damaged page inside a good file (a failing disk): unreadable too.
    let mut damaged = std::fs::read(&path).unwrap();
    for byte in &mut damaged[..4096] {
        *byte ^= 0x5a;
    }
    std::fs::write(&path, damaged).unwrap();
    assert_eq!(Store::open(&path, &key()).err().expect("refused").code(), ErrorCode::DatabaseUnreadable);
}

#[test]
fn a_backup_restored_on_a_second_database_with_only_the_passphrase_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let office = church_with_secrets(&dir.path().join("church.sqlite"), &key());
    let passphrase = Passphrase::new("seventy times seven, Matthew 18").unwrap();
    let folder = tempfile::tempdir().unwrap();
    let destination = folder.path().join("backup.cctbackup");
    let heard = Mutex::new(Vec::<BackupProgress>::new());
    let made = office.back_up(&destination, &passphrase, &|p| heard.lock().unwrap().push(p)).unwrap();
    assert_eq!(made.people, count(&office, "people"));
    let heard = heard.into_inner().unwrap();
    assert_eq!(heard.last().map(|p| p.phase.as_str()), Some("checking"), "progress ends with the check");
    assert!(heard.iter().all(|p| p.done_bytes <= p.total_bytes));
    let backup_bytes = std::fs::read(&destination).unwrap();
    assert!(
        !contains(&backup_bytes, ALLERGY_NOTE) && !contains(&backup_bytes, EMAIL) && !contains(&backup_bytes, SURNAME)
    );
    assert!(!folder.path().join("backup.cctbackup.partial").exists());

    // What the backup must hold; then the office keeps working after it.
    let expected = everything(&office);
    add_person(&office, "After", "Backup");

    // A new computer: another key, no keychain entry for the office's, only the passphrase.
    let elsewhere = tempfile::tempdir().unwrap();
    let new_path = elsewhere.path().join("church.sqlite");
    let new_key = DatabaseKey::generate().unwrap();
    let wrong = backup::restore(
        &destination,
        &Passphrase::new("not the passphrase at all").unwrap(),
        &new_path,
        &new_key,
        &by(),
    );
    assert_eq!(wrong.expect_err("refused").code(), ErrorCode::BackupUnreadable);
    assert!(!new_path.exists(), "nothing is written with a wrong passphrase");

    let restored = backup::restore(&destination, &passphrase, &new_path, &new_key, &by()).unwrap();
    assert_eq!(restored.set_aside, None);
    let store = Store::open(&new_path, &new_key).unwrap();
    let mut got = everything(&store);
    let audit = &mut got.iter_mut().find(|(table, _)| table == "audit_log").unwrap().1;
    let notes: Vec<String> = audit.iter().filter(|row| row.contains("restored from a backup")).cloned().collect();
    assert_eq!(notes.len(), 1, "the restore notes itself in the audit log");
    assert!(notes[0].contains("backup.cctbackup"), "{}", notes[0]);
    audit.retain(|row| !row.contains("restored from a backup"));
    assert_eq!(got, expected, "every row of every table is restored as it was");
}

#[test]
fn a_restore_keeps_the_database_it_replaces_and_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    let store = church_with_secrets(&path, &key());
    let passphrase = Passphrase::new("a lamp unto my feet, Psalm 119").unwrap();
    let destination = dir.path().join("good.cctbackup");
    store.back_up(&destination, &passphrase, &|_| {}).unwrap();
    add_person(&store, "Only", "Here");
    store.close();

    let mut tampered = std::fs::read(&destination).unwrap();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0xff;
    let bad = dir.path().join("tampered.cctbackup");
    std::fs::write(&bad, tampered).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(backup::restore(&bad, &passphrase, &path, &key(), &by()).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before, "a damaged backup replaces nothing");

    let restored = backup::restore(&destination, &passphrase, &path, &key(), &by()).unwrap();
    let aside = restored.set_aside.expect("the replaced database is kept");
    assert!(aside.ends_with("church.sqlite.before-restore-2026-12-02T10-00-00"), "{aside}");
    let kept = Store::open(&aside, &key()).unwrap();
    assert_eq!(scalar::<i64>(&kept, "SELECT count(*) FROM people WHERE first_name = 'Only'", []), 1);
    kept.close();
    let back = Store::open(&path, &key()).unwrap();
    assert_eq!(scalar::<i64>(&back, "SELECT count(*) FROM people WHERE first_name = 'Only'", []), 0);
}

#[test]
fn a_short_passphrase_is_refused_and_never_printed() {
    let refused = Passphrase::new("short").expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert_eq!(refused.field(), Some("passphrase"));
    let long = Passphrase::new("a perfectly long passphrase").unwrap();
    assert!(!format!("{long:?}").contains("perfectly"));
}
