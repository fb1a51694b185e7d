//! CSV import (previewed first, then the real thing with progress and cancel) and export to a
//! folder of the person's. The rules live in `cct_store::transfer`.

use crate::{App, Reply};
use cct_domain::{ErrorCode, ErrorReport};
use cct_store::transfer::{self, CsvKind, ImportReport, Mode};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;

/// Set by [`App::cancel_import`]; the running import stops at its next batch.
#[derive(Default)]
pub(crate) struct ImportControl {
    cancel: AtomicBool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
}

impl App {
    /// Shows what an import would do, row by row, and changes nothing.
    pub fn preview_import(&self, kind: CsvKind, text: &str) -> Reply<ImportReport> {
        let actor = self.signed_in()?;
        let never = AtomicBool::new(false);
        Ok(transfer::import(self.store(), &actor, kind, text, Mode::Preview, &never, |_, _| {})?)
    }

    /// Imports the rows that apply, in batches, reporting progress after each, and stops
    /// between batches once cancelled (the batches done are kept).
    pub fn run_import(&self, kind: CsvKind, text: &str, progress: impl Fn(ImportProgress)) -> Reply<ImportReport> {
        let actor = self.signed_in()?;
        let cancel = &self.inner.import.cancel;
        // A cancel pressed after the previous import ended must not stop this one.
        cancel.store(false, Ordering::SeqCst);
        let report = transfer::import(self.store(), &actor, kind, text, Mode::Commit, cancel, |done, total| {
            progress(ImportProgress { done, total })
        });
        cancel.store(false, Ordering::SeqCst);
        Ok(report?)
    }

    pub fn cancel_import(&self) {
        self.inner.import.cancel.store(true, Ordering::SeqCst);
    }

    /// Writes the export to the first of `folders` that exists and returns where it went.
    pub fn export_csv(&self, kind: CsvKind, folders: &[PathBuf]) -> Reply<PathBuf> {
        let actor = self.signed_in()?;
        let (text, stem) = match kind {
            CsvKind::People => (transfer::export_people(self.store(), &actor)?, "people"),
            CsvKind::Enrollments => (transfer::export_enrollments(self.store(), &actor)?, "enrollments"),
        };
        save_csv(&text, stem, folders)
    }
}

/// Saves a CSV file as `stem-<today>.csv` in the first of `folders` that exists, and says where.
pub(crate) fn save_csv(text: &str, stem: &str, folders: &[PathBuf]) -> Reply<PathBuf> {
    let folder = folders.iter().find(|dir| dir.is_dir()).ok_or_else(|| {
        ErrorReport::new(ErrorCode::NoFolder, "There is no Downloads, Documents or home folder to save the file in.")
    })?;
    let path = free_name(folder, &format!("{stem}-{}", chrono::Local::now().format("%Y-%m-%d")));
    // Written beside, then renamed, so a crash never leaves half a file under the real name.
    let partial = path.with_extension("csv.part");
    std::fs::write(&partial, text.as_bytes())
        .and_then(|_| std::fs::rename(&partial, &path))
        .map_err(|e| ErrorReport::new(ErrorCode::ExportFailed, format!("Could not save {}: {e}", path.display())))?;
    Ok(path)
}

/// `stem.csv` in `folder`, or `stem-2.csv`, `stem-3.csv`… when it is taken.
fn free_name(folder: &Path, stem: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.csv"));
    if !first.exists() {
        return first;
    }
    (2..).map(|n| folder.join(format!("{stem}-{n}.csv"))).find(|p| !p.exists()).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_export_never_overwrites_an_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::free_name(dir.path(), "people-2026-12-01");
        assert_eq!(first.file_name().unwrap(), "people-2026-12-01.csv");
        std::fs::write(&first, "x").unwrap();
        assert_eq!(super::free_name(dir.path(), "people-2026-12-01").file_name().unwrap(), "people-2026-12-01-2.csv");
    }
}
