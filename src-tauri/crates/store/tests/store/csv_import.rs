//! CSV import: previews that change nothing, per-row errors, batches, cancel, re-import.

use crate::common::*;
use cct_store::transfer::{self, CsvKind, Mode};
use std::sync::atomic::{AtomicBool, Ordering};

fn people_file(n: usize) -> String {
    let mut text = String::from("first_name,last_name,email,date_of_birth,household_name\n");
    for i in 0..n {
        text.push_str(&format!("Person{i},Imported,p{i}@example.org,2001-02-03,Imported Household {}\n", i / 4));
    }
    text
}

#[test]
fn a_preview_reports_every_row_and_writes_nothing() {
    let (store, _dir) = fresh_store();
    let text = "first_name,last_name,email,date_of_birth,favourite_hymn\nRuth,Moab,ruth@example.org,1990-05-01,Amazing Grace\n,Nobody,,,\nNaomi,Bethlehem,naomi@example.org,31/31/1960,\n";
    let never = AtomicBool::new(false);
    let preview = transfer::import(&store, &system(), CsvKind::People, text, Mode::Preview, &never, |_, _| {}).unwrap();
    assert_eq!((preview.applied, preview.failed, preview.committed), (1, 2, false));
    assert_eq!(preview.ignored_columns, vec!["favourite_hymn".to_owned()]);
    let errors: Vec<_> =
        preview.rows.iter().map(|r| (r.line, r.error.as_ref().and_then(|e| e.field.clone()))).collect();
    assert_eq!(errors, vec![(2, None), (3, Some("first_name".into())), (4, Some("date_of_birth".into()))]);
    assert_eq!(count(&store, "people"), 0, "a preview changes nothing");
    assert_eq!(count(&store, "audit_log"), 0);

    let imported = transfer::import(&store, &system(), CsvKind::People, text, Mode::Commit, &never, |_, _| {}).unwrap();
    assert_eq!((imported.applied, imported.failed, imported.committed), (1, 2, true));
    assert_eq!(count(&store, "people"), 1, "the good row is kept, the bad ones are not");
}

#[test]
fn an_import_commits_in_batches_stops_when_cancelled_and_resumes_without_duplicates() {
    let (store, _dir) = fresh_store();
    let text = people_file(500);
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let report = transfer::import(&store, &system(), CsvKind::People, &text, Mode::Commit, &cancel, |done, total| {
        seen.push((done, total));
        cancel.store(true, Ordering::SeqCst); // pressed during the first batch
    })
    .unwrap();
    assert!(report.cancelled);
    assert_eq!(seen, vec![(200, 500)]);
    assert_eq!(count(&store, "people"), 200, "the finished batch is kept");

    let never = AtomicBool::new(false);
    let again = transfer::import(&store, &system(), CsvKind::People, &text, Mode::Commit, &never, |_, _| {}).unwrap();
    assert!(!again.cancelled);
    assert_eq!(again.rows.iter().filter(|r| r.action.as_deref() == Some("updated")).count(), 200);
    assert_eq!(again.rows.iter().filter(|r| r.action.as_deref() == Some("created")).count(), 300);
    assert_eq!(count(&store, "people"), 500, "people matched by e-mail are updated, not duplicated");
    assert_eq!(count(&store, "household"), 125);
}

#[test]
fn a_file_without_the_needed_columns_is_refused_whole() {
    let (store, _dir) = fresh_store();
    let never = AtomicBool::new(false);
    let error = transfer::import(
        &store,
        &system(),
        CsvKind::People,
        "name,email\nRuth,r@example.org\n",
        Mode::Preview,
        &never,
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(error.field(), Some("file"));
    assert!(error.to_string().contains("first_name"), "{error}");
    let error = transfer::import(
        &store,
        &system(),
        CsvKind::Enrollments,
        "email\nr@example.org\n",
        Mode::Preview,
        &never,
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(error.field(), Some("file"));
}

#[test]
fn importing_needs_the_permission_to_write_what_is_imported() {
    let (store, _dir) = fresh_store();
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer");
    let never = AtomicBool::new(false);
    let error =
        transfer::import(&store, &volunteer, CsvKind::People, &people_file(1), Mode::Preview, &never, |_, _| {})
            .unwrap_err();
    assert_eq!(error.code(), cct_domain::ErrorCode::PermissionDenied);
}

#[test]
fn exported_formulas_are_defused_and_an_import_of_the_export_reads_them_back_as_entered() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let visitor = cct_store::records::insert(
        &mut tx,
        cct_domain::records::Person {
            first_name: "=HYPERLINK(\"http://evil.example\",\"click\")".into(),
            last_name: "@SUM(A1)".into(),
            nickname: Some("-2+3".into()),
            phone: Some("+1 555 0100".into()),
            city: Some("\tTabbed".into()),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let exported = transfer::export_people(&store, &system).unwrap();
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} would run as a formula");
    }
    assert!(row.iter().any(|cell| cell == "'=HYPERLINK(\"http://evil.example\",\"click\")"), "{row:?}");

    let never = AtomicBool::new(false);
    let report =
        transfer::import(&store, &system, CsvKind::People, &exported, Mode::Commit, &never, |_, _| {}).unwrap();
    assert_eq!((report.applied, report.failed), (1, 0), "{report:?}");
    let back: cct_domain::records::Person = cct_store::records::get(&store, &system, visitor.meta.id).unwrap();
    assert_eq!(back.first_name, visitor.first_name);
    assert_eq!(back.last_name, "@SUM(A1)");
    assert_eq!(back.nickname.as_deref(), Some("-2+3"));
    assert_eq!(back.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(count(&store, "people"), 1, "matched by id, not added again");
}
