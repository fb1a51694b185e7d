//! Zebra Programming Language: one `^XA … ^XZ` per label, every field placed in dots at
//! 203 dpi from the shared layout. Text goes through `^FH` hex escapes, so a name holding `^`
//! or `~` can never be read as a command, and `^CI28` says the text is UTF-8.

use crate::layout::{Item, LabelLayout};
use crate::size::{LabelSize, ZEBRA_DOTS_PER_MM};
use std::fmt::Write;

pub fn document(labels: &[LabelLayout], size: LabelSize) -> String {
    labels.iter().map(|label| one(label, size)).collect()
}

fn dots(mm: f32) -> u32 {
    (mm * ZEBRA_DOTS_PER_MM).round().max(0.0) as u32
}

/// A QR code's magnification in ZPL: whole dots per module.
pub fn qr_magnification(size_mm: f32, modules: usize) -> u32 {
    (dots(size_mm) / modules.max(1) as u32).clamp(1, 10)
}

/// A Code 128 module's width in ZPL: whole dots.
pub fn code128_module(width_mm: f32, modules: usize) -> u32 {
    (dots(width_mm) / modules.max(1) as u32).clamp(1, 10)
}

fn one(label: &LabelLayout, size: LabelSize) -> String {
    let (width, height) = size.zpl_dots().unwrap_or((dots(label.width), dots(label.height)));
    let mut zpl = format!("^XA\n^CI28\n^PW{width}\n^LL{height}\n^LH0,0\n");
    for item in &label.items {
        // Writing to a String cannot fail.
        let _ = match item {
            Item::Text { x, y, width, size, text, .. } => writeln!(
                zpl,
                "^FO{},{}^A0N,{h},{h}^FB{},1,0,L^FH^FD{}^FS",
                dots(*x),
                dots(*y),
                dots(*width),
                escape(text),
                h = dots(*size)
            ),
            Item::Mark { x, y, width, height, size, text } => {
                let pad = (height - size) / 2.0;
                writeln!(
                    zpl,
                    "^FO{x},{y}^GB{w},{h},{h}^FS\n^FO{tx},{ty}^A0N,{s},{s}^FR^FB{tw},1,0,C^FH^FD{}^FS",
                    escape(text),
                    x = dots(*x),
                    y = dots(*y),
                    w = dots(*width),
                    h = dots(*height),
                    tx = dots(*x),
                    ty = dots(y + pad),
                    tw = dots(*width),
                    s = dots(*size),
                )
            }
            Item::Qr { x, y, size, data, rows } => writeln!(
                zpl,
                "^FO{},{}^BQN,2,{}^FDMA,{}^FS",
                dots(*x),
                dots(*y),
                qr_magnification(*size, rows.len()),
                escape(data)
            ),
            Item::Code128 { x, y, width, height, data, modules } => writeln!(
                zpl,
                "^FO{},{}^BY{}^BCN,{},N,N,N^FD{}^FS",
                dots(*x),
                dots(*y),
                code128_module(*width, modules.len()),
                dots(*height),
                escape(data)
            ),
        };
    }
    zpl.push_str("^XZ\n");
    zpl
}

/// Field data with ZPL's command characters (and the `^FH` escape itself) as hex escapes, and
/// no control characters.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        match c {
            '^' => out.push_str("_5E"),
            '~' => out.push_str("_7E"),
            '_' => out.push_str("_5F"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::LabelContent;
    use crate::layout::layout;

    #[test]
    fn a_name_cannot_smuggle_a_command_into_the_label() {
        assert_eq!(escape("Ann^XZ~JA_x\n"), "Ann_5EXZ_7EJA_5Fx");
        let label = layout(
            &LabelContent::NameTag { name: "Ann ^XZ^XA~JR".into(), session: "S".into(), date: "D".into() },
            LabelSize::Zebra2x1,
        );
        let zpl = document(&[label], LabelSize::Zebra2x1);
        assert_eq!(zpl.matches("^XA").count(), 1);
        assert_eq!(zpl.matches("^XZ").count(), 1);
        assert!(!zpl.contains('~'));
    }
}
