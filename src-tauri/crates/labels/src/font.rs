//! The one font labels use, embedded so a label looks the same on every computer and on
//! paper: DejaVu Sans Condensed (regular and bold; Bitstream Vera licence, in `fonts/`).

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

pub const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
pub const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

pub fn data(bold: bool) -> &'static [u8] {
    if bold {
        BOLD
    } else {
        REGULAR
    }
}

/// Of the font size: how far the top of a line is above its baseline, and the line's height.
pub const ASCENT: f32 = 0.93;
pub const LINE_HEIGHT: f32 = 1.17;

/// The width of `text` set at `size` (any unit; the width is in the same one).
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let Ok(font) = FontRef::new(data(bold)) else { return text.chars().count() as f32 * size * 0.6 };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
    let units_per_em = font.head().map(|head| head.units_per_em() as f32).unwrap_or(2048.0);
    let units: f32 = text
        .chars()
        .map(|c| charmap.map(c).and_then(|glyph| metrics.advance_width(glyph)).unwrap_or(units_per_em * 0.6))
        .sum();
    units / units_per_em * size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_is_wider_than_regular_and_width_grows_with_size() {
        let regular = width("Emma Johnson", 10.0, false);
        let bold = width("Emma Johnson", 10.0, true);
        assert!(regular > 30.0 && regular < 80.0, "{regular}");
        assert!(bold > regular);
        assert!((width("Emma Johnson", 20.0, false) - 2.0 * regular).abs() < 0.01);
    }
}
