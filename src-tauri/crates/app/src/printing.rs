//! Printing the station's labels without a dialog. A check-in queues its labels in its own
//! transaction (see `cct_store::checkin::printing`); [`crate::background::print_labels`] wakes
//! when it commits and prints them here, each job alone, retrying the ones the printer did not
//! take. A printer that is off or jammed costs the check-in nothing.

use crate::{App, Reply};
use cct_domain::{ErrorCode, ErrorReport, Permission, Timestamp};
use cct_labels::printer::{self, OsPrinter, PrintError};
use cct_labels::{LabelLayout, LabelSize, PrinterAnswer, PrinterChoice};
use cct_store::checkin::printing::{self, PrintQueueView};
use cct_store::checkin::station::{self, KioskConfig};
use cct_store::office::people;
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

/// With nothing waiting, the queue is looked at again this often anyway (a job queued by
/// another window of this computer, a clock that moved).
pub const IDLE_LOOK: Duration = Duration::from_secs(30);
/// Jobs tried in one pass; the rest wait for the next one, moments later.
const PER_PASS: i64 = 20;

/// What an administrator chooses from when starting a station.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StationPrinters {
    pub printers: Vec<OsPrinter>,
    /// The printer and size the last station on this computer used.
    pub remembered: Option<PrinterChoice>,
    pub sizes: Vec<LabelSizeChoice>,
}

/// What the *Printer test* printed, and what the printer said of it (none: no printer, the
/// screen prints the label through the system dialog).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrinterTest {
    pub answer: Option<PrinterAnswer>,
    pub layout: LabelLayout,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LabelSizeChoice {
    pub size: LabelSize,
    pub name: String,
}

fn print_refusal(error: PrintError) -> ErrorReport {
    let field = match &error {
        PrintError::Invalid { field, .. } => *field,
        _ => "printer",
    };
    ErrorReport::new(ErrorCode::PrinterFailed, error.to_string()).on(field)
}

impl App {
    /// Prints the labels whose time has come, and says how many the printer took. A printer
    /// that refuses one job is not tried again in this pass, so a dead printer costs one
    /// connection timeout per pass, not one per label.
    pub fn print_due_labels(&self) -> Reply<usize> {
        let _one_pass = self.inner.print_pass.lock();
        let store = self.store();
        let mut refused: Vec<PrinterChoice> = Vec::new();
        let mut printed = 0;
        for job in printing::due(store, Timestamp::now(), PER_PASS)? {
            if refused.contains(&job.printer) {
                continue;
            }
            let title = job.content.description();
            match printer::send(&job.printer, std::slice::from_ref(&job.content), &title) {
                Ok(answer) => {
                    printing::mark_printed(store, job.id, &answer.message)?;
                    printed += 1;
                }
                Err(error) => {
                    printing::mark_failed(store, job.id, &error.to_string())?;
                    refused.push(job.printer);
                }
            }
        }
        Ok(printed)
    }

    /// How long until the next label falls due (none waiting: [`IDLE_LOOK`]).
    pub fn next_print_wait(&self) -> Duration {
        match printing::next_due_at(self.store()) {
            Ok(Some(at)) => {
                (at.as_datetime() - Timestamp::now().as_datetime()).to_std().unwrap_or(Duration::ZERO).min(IDLE_LOOK)
            }
            _ => IDLE_LOOK,
        }
    }

    /// Wakes the print worker: labels were just queued, or a volunteer asked to print now.
    pub(crate) fn wake_printer(&self) {
        self.inner.printer_wake.notify_one();
    }

    /// Resolves when the print worker is woken (see [`App::wake_printer`]).
    pub async fn printer_woken(&self) {
        self.inner.printer_wake.notified().await;
    }

    /// The station's queue, for its readiness panel: none without a label printer.
    pub(crate) fn print_queue_of(&self, config: &KioskConfig) -> Reply<Option<PrintQueueView>> {
        if config.printer.is_none() {
            return Ok(None);
        }
        let today = chrono::Local::now().date_naive().to_string();
        Ok(Some(printing::view(self.store(), &config.station, &today)?))
    }

    /// A volunteer's *Cancel* on a label still waiting (the family has gone home): it never
    /// prints, and its content (the code) is dropped.
    pub fn station_print_cancel(&self, job_id: Uuid) -> Reply<()> {
        let (config, actor) = self.station()?;
        printing::cancel(self.store(), &actor, &config.station, job_id)?;
        Ok(())
    }

    /// A volunteer's *Print now*: the station's waiting labels are tried at once.
    pub fn station_print_now(&self) -> Reply<i64> {
        let (config, _) = self.station()?;
        let retried = printing::retry_now(self.store(), &config.station)?;
        self.wake_printer();
        Ok(retried)
    }

    /// The readiness panel's *Printer test*: a test label, and what the printer answered. A
    /// station without a label printer gets the label only, for the system print dialog.
    pub fn station_printer_test(&self) -> Reply<PrinterTest> {
        let (config, _) = self.station()?;
        let at = chrono::Local::now().format("%A %-d %B %Y, %H:%M").to_string();
        let label = printer::test_label(config.printer.as_ref(), &config.station, &at);
        let answer = match &config.printer {
            Some(choice) => Some(printer::test(choice, &label).map_err(print_refusal)?),
            None => None,
        };
        Ok(PrinterTest { answer, layout: cct_labels::layout(&label, config.label_size()) })
    }

    /// This computer's printers, and the printer the last station used, for starting a station.
    pub fn station_printers(&self) -> Reply<StationPrinters> {
        let actor = self.signed_in()?;
        people::require(&actor, Permission::SettingsManage)?;
        // No print system (no CUPS installed) still lets a network printer be chosen.
        let printers = printer::os_printers().unwrap_or_default();
        Ok(StationPrinters {
            printers,
            remembered: station::remembered_printer(self.store())?,
            sizes: LabelSize::ALL
                .iter()
                .map(|size| LabelSizeChoice { size: *size, name: size.name().to_owned() })
                .collect(),
        })
    }
}
