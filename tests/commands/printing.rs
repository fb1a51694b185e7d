//! Labels printed by the station without a dialog, through the commands and the app's real
//! print worker, to a fake Zebra: a TCP listener on 127.0.0.1 that keeps what it receives.

use super::*;
use crate::kiosk::{family_with_child, session_today};
use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A Zebra switched on at `port`: every connection's bytes, kept, until the test ends.
fn zebra_at(port: u16) -> Arc<Mutex<Vec<String>>> {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the printer's port is free again");
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut job = String::new();
            if stream.read_to_string(&mut job).is_ok() {
                kept.lock().unwrap().push(job);
            }
        }
    });
    received
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "waited 30 s for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_printer_that_refuses_leaves_the_check_in_committed_and_prints_each_label_once_when_it_answers() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    // The worker the app runs for its life, on a runtime of its own.
    let worker = app_of(&h);
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new().expect("a runtime").block_on(cct_app::background::print_labels(worker))
    });
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let printer = json!({ "connection": { "kind": "network", "host": "127.0.0.1", "port": port }, "size": "zebra2x1" });

    let campus = invoke(&h, "list_records", json!({ "kind": "campus" })).unwrap()["items"][0]["id"].clone();
    let room =
        invoke(&h, "create_record", json!({ "kind": "facility", "record": { "campus_id": campus, "name": "Room 3" } }))
            .unwrap();
    let session = session_today(&h, "Kids' Church", "Kids' Church 9:30", 0, room["id"].clone());
    let start = |printer: Value| {
        invoke(
            &h,
            "start_kiosk",
            json!({ "request": { "campus_id": campus, "session_ids": [session], "station": "C",
            "pin": "1357", "pin_again": "1357", "printer": printer } }),
        )
    };
    let pdf_on_network =
        json!({ "connection": { "kind": "network", "host": "127.0.0.1", "port": port }, "size": "dymo30256" });
    assert_eq!(start(pdf_on_network).unwrap_err()["field"], "size", "a network printer takes ZPL only");
    let offered = invoke(&h, "station_printers", json!({})).unwrap();
    assert!(offered["sizes"].as_array().unwrap().len() >= 7);
    start(printer.clone()).unwrap();

    // The printer is off: the check-in goes through at once all the same.
    let (ids, children) = family_with_child(&h, &session, "Garcia");
    let checked_in = invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": ids })).unwrap();
    let code = checked_in["guardian_tag"]["security_code"].as_str().unwrap().to_owned();
    let labels = ids.len() + 1;
    // The screen gets the labels laid out as the Zebra prints them: its size, the room, the code.
    let layouts = checked_in["layouts"].as_array().unwrap();
    assert_eq!(layouts.len(), labels, "{layouts:?}");
    assert!(layouts.iter().all(|l| (l["width"].as_f64().unwrap() - 57.15).abs() < 0.01), "laid out at 2.25 inches");
    let on_screen = checked_in["layouts"].to_string();
    assert!(on_screen.contains("Kids' Church 9:30 · Room 3"), "{on_screen}");
    let barcodes = on_screen.matches(&format!("\"data\":\"{code}\"")).count();
    assert_eq!(barcodes, children.len() + 1, "each child's label and the tag carry the code as a barcode");
    let readiness = || invoke(&h, "kiosk_readiness", json!({})).unwrap();
    assert_eq!(readiness()["sessions"][0]["checked_in"], ids.len() as i64, "the check-in is committed");
    wait_for("the worker to find the printer not answering", || {
        readiness()["print_queue"]["last_error"].as_str().is_some_and(|e| e.contains("not answering"))
    });
    let queue = readiness()["print_queue"].clone();
    assert_eq!(queue["waiting"], labels as i64, "every label waits: {queue}");
    assert!(!queue.to_string().contains(&code), "the queue never shows the code");
    let tested = invoke(&h, "kiosk_printer_test", json!({})).unwrap_err();
    assert_eq!(tested["code"], "printer_failed");
    assert!(tested["message"].as_str().unwrap().contains(&format!("127.0.0.1:{port} is not answering")), "{tested}");

    // Switched on: the queue prints, each label once.
    let zebra = zebra_at(port);
    invoke(&h, "kiosk_print_now", json!({})).unwrap();
    wait_for("every label to print", || readiness()["print_queue"]["waiting"] == 0);
    invoke(&h, "kiosk_print_now", json!({})).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let jobs = zebra.lock().unwrap().clone();
    let zpl = jobs.concat();
    assert_eq!(zpl.matches("^XA").count(), labels, "one label per person and the tag, once each: {zpl}");
    assert_eq!(zpl.matches("^XZ").count(), labels);
    let children_labels = jobs.iter().filter(|job| job.contains("^BQN")).count();
    assert_eq!(children_labels, children.len(), "a child's label per child, with the code as a QR code");
    assert!(jobs.iter().filter(|job| job.contains("^BQN")).all(|job| job.contains(&format!("^FDMA,{code}^FS"))));
    assert!(
        jobs.iter().filter(|job| job.contains("^BQN")).all(|job| job.contains("Room 3")),
        "the room is on each child's label"
    );
    assert_eq!(jobs.iter().filter(|job| job.contains("^BCN")).count(), 1, "one guardian tag");
    assert!(jobs.iter().any(|job| job.contains("^BCN") && job.contains(&format!("^FD{code}^FS"))));
    let printed = readiness()["print_queue"]["jobs"].clone();
    assert!(printed.as_array().unwrap().iter().all(|job| job["state"] == "printed"), "{printed}");

    // Once printed, the code is gone from the queue's table, and the test label prints.
    let store = store_of(&h);
    assert!(!table_text(&store, "print_job").contains(&code));
    let tested = invoke(&h, "kiosk_printer_test", json!({})).unwrap();
    assert!(tested["answer"]["message"].as_str().unwrap().contains("took"), "{tested}");
    assert!(tested["layout"].to_string().contains("Printer test"), "the screen sees the label it printed: {tested}");
    wait_for("the test label", || zebra.lock().unwrap().concat().contains("Printer test"));
}
