//! Check-in labels, from what a label says to the printer.
//!
//! - [`content`]: what each label says (a child's label, a guardian tag, a name tag, a test).
//! - [`layout`]: where each line and barcode goes on a label of a given size, worked out once
//!   with the embedded font's metrics. The screen, the ZPL and the PDF are drawn from the same
//!   layout, so what prints is what the screen shows.
//! - [`zpl`] and [`pdf`]: the two languages printers take.
//! - [`printer`]: sending a job (raw TCP port 9100, CUPS's `lp`, the Windows spooler) and asking
//!   what a printer or queue answered.

pub mod barcode;
pub mod content;
pub mod font;
pub mod layout;
pub mod pdf;
pub mod printer;
pub mod size;
pub mod zpl;

pub use content::LabelContent;
pub use layout::{layout, LabelLayout};
pub use printer::{PrintError, PrinterAnswer, PrinterChoice, PrinterConnection};
pub use size::LabelSize;

/// A printer's own language for a label size: Zebra sizes print as ZPL, every other as a PDF.
pub fn render(choice: &PrinterChoice, labels: &[LabelContent]) -> Result<Vec<u8>, PrintError> {
    let layouts: Vec<LabelLayout> = labels.iter().map(|label| layout(label, choice.size)).collect();
    if choice.size.zpl_dots().is_some() {
        Ok(zpl::document(&layouts, choice.size).into_bytes())
    } else {
        pdf::document(&layouts, choice.size)
    }
}
