//! The print queue on a real database file: labels written with the check-in, retried with a
//! growing wait, printed once, their code cleared after.

use crate::common::*;
use cct_domain::{Actor, Timestamp, ValidationError};
use cct_labels::{LabelContent, LabelSize, PrinterChoice, PrinterConnection};
use cct_store::checkin::printing;
use cct_store::db::Query;
use cct_store::StoreError;

fn zebra() -> PrinterChoice {
    PrinterChoice {
        connection: PrinterConnection::Network { host: "127.0.0.1".into(), port: 9100 },
        size: LabelSize::Zebra2x1,
    }
}

fn child(name: &str) -> LabelContent {
    LabelContent::Child {
        name: name.into(),
        code: "A7KX".into(),
        session: "Sunday Kids".into(),
        room: None,
        date: "Sun".into(),
        marks: vec![],
        alerts: vec![],
    }
}

fn later(seconds: i64) -> Timestamp {
    Timestamp::from(Timestamp::now().as_datetime() + chrono::Duration::seconds(seconds))
}

#[test]
fn labels_wait_with_a_growing_wait_print_once_and_lose_their_code_once_printed() {
    let (store, _dir) = fresh_store();
    let ids = store
        .write(&system(), |tx| printing::enqueue(tx, "A", &zebra(), &[child("Emma"), child("Noah")]))
        .expect("queued");
    let due = printing::due(&store, Timestamp::now(), 10).expect("due");
    assert_eq!(due.iter().map(|job| job.id).collect::<Vec<_>>(), ids, "oldest first, at once");
    assert_eq!(due[0].content, child("Emma"));
    assert_eq!(due[0].printer, zebra());

    let next = printing::mark_failed(&store, ids[0], "the printer at 127.0.0.1:9100 is not answering").expect("failed");
    assert!(next.as_datetime() > Timestamp::now().as_datetime());
    assert_eq!(printing::due(&store, Timestamp::now(), 10).expect("due").len(), 1, "the failed one waits");
    assert_eq!(printing::due(&store, later(3), 10).expect("due").len(), 2, "and is due again after its wait");
    let view = printing::view(&store, "A", "").expect("the queue");
    assert_eq!(view.waiting, 2);
    assert_eq!(view.last_error.as_deref(), Some("the printer at 127.0.0.1:9100 is not answering"));
    assert_eq!(view.jobs.len(), 2);
    assert!(view.jobs.iter().all(|job| !job.description.contains("A7KX")), "the queue never shows the code");

    assert_eq!(printing::retry_now(&store, "A").expect("retried"), 2);
    assert_eq!(printing::due(&store, Timestamp::now(), 10).expect("due").len(), 2);
    printing::mark_printed(&store, ids[0], "took 300 bytes").expect("printed");
    printing::mark_printed(&store, ids[0], "took 300 bytes").expect("a second report changes nothing");
    let due = printing::due(&store, later(3600), 10).expect("due");
    assert_eq!(due.iter().map(|job| job.id).collect::<Vec<_>>(), vec![ids[1]], "a printed label is never due again");
    let (content, attempts): (Option<String>, i64) = store
        .read(|conn| conn.tuple("SELECT content, attempts FROM print_job WHERE id = ?1", [ids[0].to_string()]))
        .expect("read")
        .expect("the job is kept");
    assert_eq!(content, None, "the code leaves the database once printed");
    assert_eq!(attempts, 2);

    let volunteer = Actor::system();
    let elsewhere = printing::cancel(&store, &volunteer, "B", ids[1]);
    assert!(matches!(elsewhere, Err(StoreError::Conflict { .. })), "another station cannot cancel A's label");
    printing::cancel(&store, &volunteer, "A", ids[1]).expect("cancelled");
    assert!(printing::due(&store, later(3600), 10).expect("due").is_empty());
    assert!(matches!(printing::cancel(&store, &volunteer, "A", ids[1]), Err(StoreError::Conflict { field: "id", .. })));
    assert_eq!(printing::view(&store, "A", "").expect("the queue").waiting, 0);
    assert_eq!(printing::next_due_at(&store).expect("next"), None);
}

#[test]
fn a_check_in_that_fails_queues_nothing_and_waits_double_up_to_a_minute() {
    let (store, _dir) = fresh_store();
    let failed: Result<(), StoreError> = store.write(&system(), |tx| {
        printing::enqueue(tx, "A", &zebra(), &[child("Emma")])?;
        Err(ValidationError::new("people_ids", "refused after the labels were queued").into())
    });
    assert!(failed.is_err());
    assert!(printing::due(&store, later(3600), 10).expect("due").is_empty(), "the labels went with the check-in");
    let waits: Vec<i64> = (1..=8).map(printing::retry_wait_secs).collect();
    assert_eq!(waits, vec![2, 4, 8, 16, 32, 60, 60, 60]);
}
