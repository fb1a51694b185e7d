//! The label stocks a station can print on. Sizes are as the label reads (width first), in
//! millimetres; Zebra stocks also have their size in dots at 203 dpi.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LabelSize {
    /// Zebra 2.25" × 1.25" (457 × 254 dots), the common check-in stock.
    Zebra2x1,
    /// Zebra 4" × 2" (812 × 406 dots).
    Zebra4x2,
    /// DYMO LabelWriter 30252, 1⅛" × 3½" address labels.
    Dymo30252,
    /// DYMO LabelWriter 30256, 2 5⁄16" × 4" shipping labels.
    Dymo30256,
    /// Brother QL DK-1201, 29 × 90 mm.
    BrotherDk1201,
    /// Brother QL 62 mm continuous tape (DK-2205), cut at 100 mm.
    Brother62,
    /// An ordinary office printer: a US Letter sheet of ten 4" × 2" labels (Avery 5163).
    AveryLetter10,
}

/// Where the labels of a sheet sit on its page, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    pub page_mm: (f32, f32),
    pub columns: u32,
    pub rows: u32,
    pub first_mm: (f32, f32),
    pub pitch_mm: (f32, f32),
}

/// Zebra printers of these stocks print 203 dots per inch.
pub const ZEBRA_DOTS_PER_MM: f32 = 203.0 / 25.4;

impl LabelSize {
    pub const ALL: [LabelSize; 7] = [
        LabelSize::Zebra2x1,
        LabelSize::Zebra4x2,
        LabelSize::Dymo30252,
        LabelSize::Dymo30256,
        LabelSize::BrotherDk1201,
        LabelSize::Brother62,
        LabelSize::AveryLetter10,
    ];

    /// A station without a label printer shows its labels at this size, and prints them so
    /// through the system dialog: DYMO's address label, the size Planning Center's stations use.
    pub const WITHOUT_PRINTER: LabelSize = LabelSize::Dymo30252;

    pub fn name(self) -> &'static str {
        match self {
            LabelSize::Zebra2x1 => "Zebra 2.25″ × 1.25″ (ZPL)",
            LabelSize::Zebra4x2 => "Zebra 4″ × 2″ (ZPL)",
            LabelSize::Dymo30252 => "DYMO 30252 address, 28 × 89 mm",
            LabelSize::Dymo30256 => "DYMO 30256 shipping, 59 × 102 mm",
            LabelSize::BrotherDk1201 => "Brother DK-1201, 29 × 90 mm",
            LabelSize::Brother62 => "Brother 62 mm continuous, cut at 100 mm",
            LabelSize::AveryLetter10 => "Office printer: Letter sheet of 10 (Avery 5163)",
        }
    }

    /// One label's width and height as it reads, in millimetres.
    pub fn label_mm(self) -> (f32, f32) {
        match self {
            LabelSize::Zebra2x1 => (57.15, 31.75),
            LabelSize::Zebra4x2 => (101.6, 50.8),
            LabelSize::Dymo30252 => (89.0, 28.0),
            LabelSize::Dymo30256 => (102.0, 59.0),
            LabelSize::BrotherDk1201 => (90.0, 29.0),
            LabelSize::Brother62 => (100.0, 62.0),
            LabelSize::AveryLetter10 => (101.6, 50.8),
        }
    }

    /// The label's width and height in printer dots, for the stocks printed as ZPL.
    pub fn zpl_dots(self) -> Option<(u32, u32)> {
        match self {
            LabelSize::Zebra2x1 => Some((457, 254)),
            LabelSize::Zebra4x2 => Some((812, 406)),
            _ => None,
        }
    }

    /// The sheet the labels are on, for an office printer; `None` for a roll of labels.
    pub fn sheet(self) -> Option<Sheet> {
        match self {
            LabelSize::AveryLetter10 => Some(Sheet {
                page_mm: (215.9, 279.4),
                columns: 2,
                rows: 5,
                first_mm: (3.96, 12.7),
                pitch_mm: (104.78, 50.8),
            }),
            _ => None,
        }
    }

    /// The page of one printed page: the sheet, or one label.
    pub fn page_mm(self) -> (f32, f32) {
        self.sheet().map(|sheet| sheet.page_mm).unwrap_or_else(|| self.label_mm())
    }
}
