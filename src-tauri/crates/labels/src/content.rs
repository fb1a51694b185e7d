//! What a label says, before it is laid out. A queued print job keeps this (not the rendered
//! bytes), so a job can be laid out again for the station's printer of the moment.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LabelContent {
    /// Worn by a child: who they are, the guardian tag's code (also as a QR code, for
    /// check-out by scan), where they are, and what a volunteer must know.
    Child {
        name: String,
        code: String,
        session: String,
        room: Option<String>,
        date: String,
        /// Short marks printed boxed, so they are seen across a room: ALLERGY, MEDICAL.
        marks: Vec<String>,
        /// The alerts themselves, most severe first.
        alerts: Vec<String>,
    },
    /// Kept by the family: the code as text and as a Code 128 barcode, and whose tag it is.
    Guardian { code: String, children: Vec<String>, date: String },
    /// For adults and visitors: no code (nobody collects them).
    NameTag { name: String, session: String, date: String },
    /// The readiness panel's printer test.
    Test { station: String, printer: String, at: String },
}

impl LabelContent {
    /// What the print queue shows of the job: never the code.
    pub fn description(&self) -> String {
        match self {
            LabelContent::Child { name, .. } => format!("Child label: {name}"),
            LabelContent::Guardian { children, .. } => format!("Guardian tag: {}", children.join(", ")),
            LabelContent::NameTag { name, .. } => format!("Name tag: {name}"),
            LabelContent::Test { .. } => "Printer test".to_owned(),
        }
    }
}
