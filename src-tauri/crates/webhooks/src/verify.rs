//! The delivery's signature: hex HMAC-SHA256 of the raw body, keyed with a subscription's
//! `authenticity_secret`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// True when `signature` is the body's HMAC under one of `secrets`. Every secret is tried, and
/// each comparison takes the same time whatever the bytes (`verify_slice`), so neither the
/// answer's timing nor which secret matched tells a sender anything.
pub fn verify(secrets: &[String], body: &[u8], signature: &str) -> bool {
    let Some(claimed) = decode_hex(signature) else { return false };
    let mut matched = false;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else { continue };
        mac.update(body);
        matched |= mac.verify_slice(&claimed).is_ok();
    }
    matched
}

/// The signature Planning Center sends with `body` (for tests and for the fake).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_matches_only_its_body_and_secret() {
        let secrets = vec!["first secret".to_owned(), "second secret".to_owned()];
        let body = br#"{"data":[]}"#;
        let good = sign("second secret", body);
        assert!(verify(&secrets, body, &good));
        assert!(verify(&secrets, body, &good.to_uppercase()), "hex in either case");
        assert!(!verify(&secrets, br#"{"data":[ ]}"#, &good), "one byte of the body changed");
        assert!(!verify(&secrets, body, &sign("a stranger's secret", body)));
        assert!(!verify(&secrets, body, ""), "unsigned");
        assert!(!verify(&secrets, body, &good[..62]), "cut short");
        assert!(!verify(&[], body, &good), "no secrets configured accepts nothing");
        assert!(!verify(&[String::new()], body, &sign("", body)), "an empty secret is no secret");
    }
}
