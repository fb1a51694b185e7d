//! Barcodes from maintained crates: QR codes (`qrcode`) and Code 128 (`barcoders`). Zebra
//! printers draw their own from ZPL; the PDF and the screen draw these modules.

use qrcode::{Color, EcLevel, QrCode};

/// Medium error correction: a label survives a crease or a smudge, and a short code stays a
/// small (21-module) symbol.
pub const QR_LEVEL: EcLevel = EcLevel::M;

/// A QR code's rows, each a string of `1` (dark) and `0` (light), without the quiet zone.
pub fn qr_rows(data: &str) -> Vec<String> {
    let Ok(code) = QrCode::with_error_correction_level(data.as_bytes(), QR_LEVEL) else { return Vec::new() };
    let width = code.width();
    code.to_colors()
        .chunks(width)
        .map(|row| row.iter().map(|c| if *c == Color::Dark { '1' } else { '0' }).collect())
        .collect()
}

/// Code 128's bars (`1` dark, `0` light, one module each), in character set B: codes are
/// capitals and digits. Empty when the text cannot be encoded.
pub fn code128_modules(data: &str) -> String {
    let Ok(code) = barcoders::sym::code128::Code128::new(format!("\u{0181}{data}")) else { return String::new() };
    code.encode().iter().map(|bit| if *bit == 1 { '1' } else { '0' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_code_is_a_version_1_qr_and_a_code128_with_start_and_stop() {
        let rows = qr_rows("A7KX");
        assert_eq!(rows.len(), 21);
        assert!(rows.iter().all(|row| row.len() == 21));
        // The finder pattern's top row: seven dark modules.
        assert!(rows[0].starts_with("1111111"));
        let bars = code128_modules("A7KX");
        // Start B, four symbols and a check symbol of 11 modules, and the 13-module stop.
        assert_eq!(bars.len(), 11 + 4 * 11 + 11 + 13);
        assert!(bars.starts_with("11010010000"), "start B: {bars}");
        assert!(bars.ends_with("1100011101011"), "stop: {bars}");
    }
}
