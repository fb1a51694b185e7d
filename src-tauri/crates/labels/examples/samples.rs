//! Writes the sample labels of a Sunday check-in, as PDFs of every PDF label size and as ZPL,
//! into the folder given (default `label-samples`), for looking at and for the README:
//!
//!     cargo run -p cct-labels --example samples -- /tmp/labels
//!     pdftoppm -png -r 150 /tmp/labels/dymo_30256.pdf /tmp/labels/dymo_30256

use cct_labels::{render, LabelContent, LabelSize, PrinterChoice, PrinterConnection};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "label-samples".into()));
    std::fs::create_dir_all(&folder)?;
    let labels = sunday();
    for size in LabelSize::ALL {
        let choice = PrinterChoice { connection: PrinterConnection::Queue { name: "samples".into() }, size };
        let bytes = render(&choice, &labels)?;
        let name = serde_json::to_string(&size)?.trim_matches('"').to_owned();
        let extension = if size.zpl_dots().is_some() { "zpl" } else { "pdf" };
        std::fs::write(folder.join(format!("{name}.{extension}")), bytes)?;
    }
    println!("wrote {} sizes to {}", LabelSize::ALL.len(), folder.display());
    Ok(())
}

/// Two children with a guardian tag, a name tag for a visiting parent.
pub fn sunday() -> Vec<LabelContent> {
    let date = "Sunday 6 December 2026".to_owned();
    vec![
        LabelContent::Child {
            name: "Emma Johnson".into(),
            code: "A7KX".into(),
            session: "Sunday Kids 9:30".into(),
            room: Some("Room 3".into()),
            date: date.clone(),
            marks: vec!["ALLERGY".into(), "MEDICAL".into()],
            alerts: vec!["ALLERGY: peanuts, EpiPen in bag".into(), "MEDICAL: asthma inhaler".into()],
        },
        LabelContent::Child {
            name: "Maximilian Fitzgerald-Montgomery".into(),
            code: "A7KX".into(),
            session: "Sunday Kids 9:30".into(),
            room: Some("Room 3".into()),
            date: date.clone(),
            marks: vec![],
            alerts: vec![],
        },
        LabelContent::Guardian {
            code: "A7KX".into(),
            children: vec!["Emma Johnson".into(), "Maximilian Fitzgerald-Montgomery".into()],
            date: date.clone(),
        },
        LabelContent::NameTag { name: "Grace Okafor".into(), session: "Sunday Kids 9:30 · visitor".into(), date },
    ]
}
