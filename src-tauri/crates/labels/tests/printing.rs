//! Labels sent to real listeners: a ZPL printer that is a TCP listener on 127.0.0.1 keeping
//! what it receives, a printer that refuses connections, and PDFs read back with poppler's
//! `pdfinfo` and `pdftotext`.

use cct_labels::printer::{self, PrintError};
use cct_labels::{render, LabelSize, PrinterChoice, PrinterConnection};
use std::io::Read;
use std::net::TcpListener;

mod poppler;

#[path = "../examples/samples.rs"]
#[allow(dead_code)]
mod samples;

fn zebra(port: u16, size: LabelSize) -> PrinterChoice {
    PrinterChoice { connection: PrinterConnection::Network { host: "127.0.0.1".into(), port }, size }
}

/// A fake Zebra: takes one connection and keeps everything sent on it.
fn fake_zebra() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port on loopback");
    let port = listener.local_addr().expect("its address").port();
    let kept = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the app connects");
        let mut received = String::new();
        stream.read_to_string(&mut received).expect("the job arrives whole");
        received
    });
    (port, kept)
}

fn numbers(command: &str, after: &str) -> Vec<i64> {
    command[after.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Every field of every label starts inside the label's dots and, where ZPL says how wide or
/// high it is, ends inside them too.
fn assert_well_formed(zpl: &str, labels: usize, (width, height): (u32, u32)) {
    assert_eq!(zpl.matches("^XA").count(), labels, "{zpl}");
    assert_eq!(zpl.matches("^XZ").count(), labels, "{zpl}");
    for label in zpl.split("^XZ").filter(|l| !l.trim().is_empty()) {
        assert!(label.trim_start().starts_with("^XA"), "{label}");
        assert!(label.contains(&format!("^PW{width}")) && label.contains(&format!("^LL{height}")), "{label}");
        assert!(label.contains("^CI28"), "UTF-8 text: {label}");
        for field in label.lines().filter(|line| line.starts_with("^FO")) {
            let origin = numbers(field, "^FO");
            let (x, y) = (origin[0], origin[1]);
            assert!(x >= 0 && y >= 0 && x < width as i64 && y < height as i64, "origin outside: {field}");
            if let Some(block) = field.split("^FB").nth(1) {
                let box_width = numbers(block, "")[0];
                assert!(x + box_width <= width as i64, "text wider than the label: {field}");
            }
            if let Some(font) = field.split("^A0N,").nth(1) {
                let font_height = numbers(font, "")[0];
                assert!(y + font_height <= height as i64, "text below the label: {field}");
            }
            if let Some(bars) = field.split("^BCN,").nth(1) {
                let bar_height = numbers(bars, "")[0];
                assert!(y + bar_height <= height as i64, "barcode below the label: {field}");
            }
            if let Some(qr) = field.split("^BQN,2,").nth(1) {
                let magnification = numbers(qr, "")[0];
                assert!(x + 21 * magnification <= width as i64 && y + 21 * magnification <= height as i64, "{field}");
            }
        }
        assert!(label.matches("^FD").count() == label.matches("^FS").count() - label.matches("^GB").count(), "{label}");
    }
}

#[test]
fn a_families_labels_reach_the_zebra_as_well_formed_zpl_with_codes_names_and_alerts() {
    for size in [LabelSize::Zebra2x1, LabelSize::Zebra4x2] {
        let (port, kept) = fake_zebra();
        let labels = samples::sunday();
        let answer = printer::send(&zebra(port, size), &labels, "Check-in").expect("the printer takes the job");
        let zpl = kept.join().expect("the fake printer ran");
        assert!(answer.message.contains(&format!("took {} bytes", zpl.len())), "{answer:?}");
        assert_well_formed(&zpl, labels.len(), size.zpl_dots().unwrap_or_default());
        let each: Vec<&str> = zpl.split("^XZ").filter(|l| !l.trim().is_empty()).collect();
        assert!(each[0].contains("Emma Johnson") && each[0].contains("^FDA7KX^FS"), "{}", each[0]);
        assert!(each[0].contains("^FDMA,A7KX^FS"), "the code as a QR for check-out by scan");
        assert!(each[0].contains("ALLERGY: peanuts") && each[0].contains("^FR"), "alerts and marks");
        assert!(each[0].contains("MEDICAL"));
        assert!(each[1].contains("Fitzgerald-") && each[1].contains("Montgomery"), "a long name, wrapped");
        assert!(each[2].contains("^BCN,") && each[2].contains("^FDA7KX^FS"), "the guardian tag's Code 128");
        assert!(each[2].contains("Emma Johnson, Maximilian"), "{}", each[2]);
        assert!(each[3].contains("Grace Okafor") && !each[3].contains("A7KX"), "a name tag has no code");
    }
}

#[test]
fn a_printer_that_refuses_connections_is_a_temporary_not_answering_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("its address").port()
    };
    let error = printer::send(&zebra(port, LabelSize::Zebra2x1), &samples::sunday(), "Check-in").unwrap_err();
    assert!(matches!(error, PrintError::NotAnswering { .. }), "{error:?}");
    assert!(error.is_temporary());
    assert!(error.to_string().contains(&format!("127.0.0.1:{port} is not answering")), "{error}");
}

#[test]
fn a_network_printer_takes_only_zpl_and_a_blank_address_is_said_of_its_field() {
    let pdf_size = PrinterChoice { size: LabelSize::Dymo30256, ..zebra(9100, LabelSize::Zebra2x1) };
    assert!(matches!(pdf_size.validate(), Err(PrintError::Invalid { field: "size", .. })));
    let blank = PrinterChoice {
        connection: PrinterConnection::Network { host: " ".into(), port: 9100 },
        size: LabelSize::Zebra2x1,
    };
    assert!(matches!(blank.validate(), Err(PrintError::Invalid { field: "host", .. })));
}

#[test]
fn each_pdf_size_is_a_page_of_the_labels_size_whose_text_holds_the_code() {
    let folder = tempfile::tempdir().expect("a folder");
    for size in LabelSize::ALL.into_iter().filter(|size| size.zpl_dots().is_none()) {
        let choice = PrinterChoice { connection: PrinterConnection::Queue { name: "test".into() }, size };
        let pdf = folder.path().join("labels.pdf");
        std::fs::write(&pdf, render(&choice, &samples::sunday()).expect("a PDF")).expect("written");
        let read = poppler::read(&pdf);
        assert_eq!(read.pages, if size.sheet().is_some() { 1 } else { 4 }, "{size:?}");
        assert!(read.is_page_of(size.page_mm(), 0.5, false), "{size:?}: {:?} points", read.page_points);
        let text = read.words;
        assert!(text.matches("A7KX").count() >= 3, "{size:?}: the code on both labels and the tag: {text}");
        for words in ["Emma Johnson", "ALLERGY: peanuts", "Grace Okafor", "Room 3", "Guardian tag"] {
            assert!(text.contains(words), "{size:?}: {words} in {text}");
        }
    }
}
