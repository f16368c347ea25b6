//! The second factor: TOTP codes (RFC 6238: six digits, 30 seconds, SHA-1, as every
//! authenticator app reads them) and the QR code that enrols an app, drawn as SVG so that
//! it needs neither script nor image file.

use qrcode::QrCode;
use qrcode::render::svg;
use rand::RngCore;
use totp_rs::{Builder, Totp};

/// A new random secret: 160 bits, the size RFC 4226 recommends.
pub(crate) fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Option<Totp> {
    // An account name may not hold a colon in an otpauth URL.
    let account = account.replace(':', " ");
    Builder::new()
        .with_secret(secret.to_vec())
        .with_account_name(if account.is_empty() {
            "weerbaar".to_owned()
        } else {
            account
        })
        .with_issuer(Some("Weerbaar"))
        .build()
        .ok()
}

/// Whether `code` is the code of `secret` now (or one step before or after, for clocks
/// that drift); gives the time step it matched, so that a step is accepted only once.
pub(crate) fn check(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    totp(secret, "weerbaar")?.check(&code, unix_seconds)
}

/// The secret as the letters to type into an app by hand, in groups of four.
pub(crate) fn secret_text(secret: &[u8]) -> String {
    let base32 = totp_rs::Secret::from(secret.to_vec()).to_base32();
    base32
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The enrolment QR code as an inline SVG element with a text alternative.
pub(crate) fn qr_svg(secret: &[u8], account: &str) -> Option<String> {
    let url = totp(secret, account)?.to_url().ok()?;
    let code = QrCode::new(url.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer writes an XML declaration, which has no place inside HTML, and no
    // accessible name.
    let start = image.find("<svg")?;
    Some(image[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR-code om Weerbaar aan uw authenticator-app toe te voegen\"",
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector_is_accepted() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (eight digits); six digits: 287082.
        let secret = b"12345678901234567890";
        assert!(check(secret, "287082", 59).is_some());
        assert!(check(secret, "287 082", 59).is_some());
        assert!(check(secret, "287083", 59).is_none());
        assert!(check(secret, "28708", 59).is_none());
        assert!(check(secret, "abcdef", 59).is_none());
    }

    #[test]
    fn the_qr_code_is_an_svg_with_a_name() {
        let svg = qr_svg(&new_secret(), "griffier@example.nl").unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label="));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn the_typed_secret_is_base32_in_groups() {
        let text = secret_text(&[0u8; 20]);
        assert_eq!(text, "AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA");
    }
}
