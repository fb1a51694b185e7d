//! Labels through a real CUPS: the private server the test command starts (`tasks.mjs`, from
//! Debian's `cups`), with a `cups-pdf` virtual printer. Each job comes out as a PDF, read back
//! with poppler's `pdfinfo` and `pdftotext`.

use cct_labels::printer::{self, PrintError};
use cct_labels::{LabelSize, PrinterChoice, PrinterConnection};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

mod poppler;

#[path = "../examples/samples.rs"]
#[allow(dead_code)]
mod samples;

/// The private server, its PDF printer (set up to turn PDFs into PostScript with
/// `pdftocairo`, which keeps the text readable to `pdftotext` after cups-pdf's Ghostscript),
/// and where cups-pdf writes (the submitting user's
/// `~/PDF` unless the test command says otherwise).
fn test_cups() -> (String, PathBuf) {
    let server = std::env::var("CCT_TEST_CUPS_SERVER")
        .expect("CCT_TEST_CUPS_SERVER names the test CUPS server; `node ui/scripts/tasks.mjs test` starts one");
    // lp and lpstat read the server from the environment; every test here uses the same one.
    std::env::set_var("CUPS_SERVER", &server);
    let printer = std::env::var("CCT_TEST_CUPS_PRINTER").unwrap_or_else(|_| "cct-pdf".into());
    let out = std::env::var("CCT_TEST_CUPS_PDF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join("PDF"));
    (printer, out)
}

/// cups-pdf names its file after the job's title and number: `<title>-job_<number>.pdf`. A
/// server started afresh numbers its jobs from 1 again, so only a file written since the job was
/// sent is this job's.
fn pdf_of_job(out: &std::path::Path, answer: &str, sent_at: SystemTime) -> PathBuf {
    let id: String =
        answer.split("request id is ").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap_or("").to_owned();
    let number = id.rsplit('-').next().unwrap_or("").to_owned();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(entries) = std::fs::read_dir(out) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let written_since = entry
                    .metadata()
                    .is_ok_and(|m| m.len() > 0 && m.modified().is_ok_and(|at| at + Duration::from_secs(1) >= sent_at));
                if name.ends_with(&format!("job_{number}.pdf")) && written_since {
                    std::thread::sleep(Duration::from_millis(300));
                    return entry.path();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("cups-pdf wrote no PDF for {id} in {}", out.display());
}

#[test]
fn through_cups_each_label_becomes_a_pdf_of_the_labels_size_whose_text_holds_the_code() {
    let (queue, out) = test_cups();
    let listed = printer::os_printers().expect("lpstat lists the test server's printers");
    assert!(listed.iter().any(|p| p.name == queue && p.is_default), "the server's default is named: {listed:?}");
    for size in [LabelSize::Dymo30256, LabelSize::BrotherDk1201] {
        let choice = PrinterChoice { connection: PrinterConnection::Queue { name: queue.clone() }, size };
        let sent_at = SystemTime::now();
        let answer = printer::send(&choice, &samples::sunday(), "Check-in labels").expect("CUPS takes the job");
        assert!(answer.message.contains("request id is"), "{answer:?}");
        let pdf = pdf_of_job(&out, &answer.message, sent_at);
        let read = poppler::read(&pdf);
        // CUPS may turn the page for the printer; either way it is the label's size.
        assert!(read.is_page_of(size.label_mm(), 2.0, true), "{size:?}: {:?} points", read.page_points);
        assert_eq!(read.pages, 4);
        let text = read.words;
        assert!(text.matches("A7KX").count() >= 3, "{size:?}: {text}");
        assert!(text.contains("Emma Johnson") && text.contains("Grace Okafor"), "{text}");
    }
    let choice =
        PrinterChoice { connection: PrinterConnection::Queue { name: queue.clone() }, size: LabelSize::Dymo30252 };
    let tested = printer::test(&choice, &printer::test_label(Some(&choice), "A", "09:00"))
        .expect("the printer test goes through");
    assert!(tested.message.contains("request id is") && tested.message.contains("CUPS says: printer"), "{tested:?}");
}

#[test]
fn a_queue_that_does_not_exist_refuses_with_what_cups_said() {
    test_cups();
    let choice = PrinterChoice {
        connection: PrinterConnection::Queue { name: "no-such-printer".into() },
        size: LabelSize::Dymo30252,
    };
    let error = printer::send(&choice, &samples::sunday(), "Check-in labels").unwrap_err();
    assert!(matches!(error, PrintError::QueueRefused { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-printer"), "{error}");
}
