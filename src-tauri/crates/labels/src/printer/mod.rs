//! Sending labels to the printer a station was given, and asking what it answered.
//!
//! - A network label printer (a Zebra on TCP port 9100) gets raw ZPL ([`network`]).
//! - A printer the operating system knows gets a job on its queue: CUPS through its own `lp`
//!   and `lpstat` on Linux and macOS ([`cups`]), the print spooler on Windows ([`spooler`],
//!   written for Windows and untested here). Zebra label sizes go as a raw ZPL job; every
//!   other size as a PDF of the label's size.

#[cfg(unix)]
pub mod cups;
pub mod network;
#[cfg(windows)]
pub mod spooler;

use crate::content::LabelContent;
use crate::size::LabelSize;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrinterConnection {
    /// A label printer on the network, spoken to directly (raw TCP, usually port 9100).
    Network { host: String, port: u16 },
    /// A printer queue of the operating system, by its name.
    Queue { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrinterChoice {
    pub connection: PrinterConnection,
    pub size: LabelSize,
}

/// What a printer or queue said to a job, in words a volunteer can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrinterAnswer {
    pub message: String,
}

/// A printer of the operating system, as its queue reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OsPrinter {
    pub name: String,
    pub is_default: bool,
    /// The queue's state in its own words ("idle", "disabled since …").
    pub state: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "the printer at {address} is not answering ({reason}); labels wait in the queue and print when it answers"
    )]
    NotAnswering { address: String, reason: String },
    #[error("the print queue \"{queue}\" refused the labels: {message}")]
    QueueRefused { queue: String, message: String },
    #[error("this computer cannot print to its printer queues: {0}")]
    NoPrintSystem(String),
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("the label could not be drawn: {0}")]
    Render(String),
}

impl PrintError {
    /// Worth trying again later: the printer or queue may answer then.
    pub fn is_temporary(&self) -> bool {
        matches!(self, PrintError::NotAnswering { .. } | PrintError::QueueRefused { .. } | PrintError::NoPrintSystem(_))
    }
}

impl PrinterChoice {
    /// A printer an administrator may choose: a network printer takes ZPL only.
    pub fn validate(&self) -> Result<(), PrintError> {
        match &self.connection {
            PrinterConnection::Network { host, port } => {
                if host.trim().is_empty() || host.contains(char::is_whitespace) {
                    return Err(PrintError::Invalid {
                        field: "host",
                        message: "type the printer's address, such as 192.168.1.40".into(),
                    });
                }
                if *port == 0 {
                    return Err(PrintError::Invalid {
                        field: "port",
                        message: "a label printer listens on a port from 1 to 65535 (usually 9100)".into(),
                    });
                }
                if self.size.zpl_dots().is_none() {
                    return Err(PrintError::Invalid {
                        field: "size",
                        message: "a printer on the network is sent ZPL: choose a Zebra label size, or choose the printer from this computer's printers".into(),
                    });
                }
            }
            PrinterConnection::Queue { name } => {
                if name.trim().is_empty() {
                    return Err(PrintError::Invalid {
                        field: "name",
                        message: "choose one of this computer's printers".into(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        match &self.connection {
            PrinterConnection::Network { host, port } => format!("{host}:{port}, {}", self.size.name()),
            PrinterConnection::Queue { name } => format!("{name}, {}", self.size.name()),
        }
    }
}

/// Sends labels as one job and says what the printer or queue answered.
pub fn send(choice: &PrinterChoice, labels: &[LabelContent], title: &str) -> Result<PrinterAnswer, PrintError> {
    choice.validate()?;
    let bytes = crate::render(choice, labels)?;
    let raw = choice.size.zpl_dots().is_some();
    match &choice.connection {
        PrinterConnection::Network { host, port } => network::send(host, *port, &bytes),
        PrinterConnection::Queue { name } => os_queue_send(name, &bytes, raw, choice.size, title),
    }
}

/// The readiness panel's test label: the station, the printer it is meant for, and when.
pub fn test_label(choice: Option<&PrinterChoice>, station: &str, at: &str) -> LabelContent {
    let printer = choice.map_or_else(|| "the system print dialog".to_owned(), PrinterChoice::describe);
    LabelContent::Test { station: station.to_owned(), printer, at: at.to_owned() }
}

/// The readiness panel's test: the test label ([`test_label`]), then what the printer says of
/// itself.
pub fn test(choice: &PrinterChoice, label: &LabelContent) -> Result<PrinterAnswer, PrintError> {
    let sent = send(choice, std::slice::from_ref(label), "Printer test")?;
    let status = match &choice.connection {
        PrinterConnection::Network { host, port } => network::host_status(host, *port),
        PrinterConnection::Queue { name } => os_queue_state(name),
    };
    Ok(PrinterAnswer { message: format!("{} {status}", sent.message).trim().to_owned() })
}

/// This computer's printers.
pub fn os_printers() -> Result<Vec<OsPrinter>, PrintError> {
    #[cfg(unix)]
    return cups::printers();
    #[cfg(windows)]
    return spooler::printers();
    #[cfg(not(any(unix, windows)))]
    Err(PrintError::NoPrintSystem("no print system is known on this platform".into()))
}

#[allow(unused_variables)]
fn os_queue_send(
    name: &str,
    bytes: &[u8],
    raw: bool,
    size: LabelSize,
    title: &str,
) -> Result<PrinterAnswer, PrintError> {
    #[cfg(unix)]
    return cups::send(name, bytes, raw, size, title);
    #[cfg(windows)]
    return spooler::send(name, bytes, title);
    #[cfg(not(any(unix, windows)))]
    Err(PrintError::NoPrintSystem("no print system is known on this platform".into()))
}

#[allow(unused_variables)]
fn os_queue_state(name: &str) -> String {
    #[cfg(unix)]
    return cups::state(name);
    #[cfg(not(unix))]
    String::new()
}
