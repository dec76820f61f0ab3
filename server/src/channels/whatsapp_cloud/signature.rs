//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
//!
//! Always over the bytes as received: Meta signs its own serialisation (escaped unicode), so a
//! re-serialised body would not match.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// True when `header` is the signature of `body` under `app_secret`. The comparison is
/// constant-time (`verify_slice`), so timing does not reveal how much of a forgery matched.
pub fn verify(app_secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_digest) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest.trim()) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The header value for `body` (the fake Graph server and tests sign with it).
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_exact_bytes_and_secret() {
        let header = sign(b"secret", b"{\"a\":1}");
        assert!(verify(b"secret", b"{\"a\":1}", Some(&header)));
        assert!(!verify(b"secret", b"{\"a\": 1}", Some(&header)));
        assert!(!verify(b"other", b"{\"a\":1}", Some(&header)));
        assert!(!verify(b"secret", b"{\"a\":1}", None));
        assert!(!verify(b"secret", b"{\"a\":1}", Some("sha1=abc")));
        assert!(!verify(b"secret", b"{\"a\":1}", Some("sha256=zz")));
        assert!(verify(
            b"secret",
            b"{\"a\":1}",
            Some(&header.to_uppercase().replace("SHA256=", "sha256="))
        ));
    }
}
