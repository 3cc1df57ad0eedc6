//! HMAC-SHA512 over raw bytes, hex encoded: the one signature of the protocol.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

/// The merchant secret, keyed once; cloned per message.
#[derive(Clone)]
pub struct Signer(Hmac<Sha512>);

impl Signer {
    pub fn new(secret: &[u8]) -> Signer {
        Signer(Hmac::new_from_slice(secret).expect("HMAC takes any key length"))
    }

    /// Lowercase hex, 128 characters.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(128);
        for b in digest.iter() {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }

    /// Hex in either case; compared in constant time.
    pub fn verify(&self, body: &[u8], signature: &str) -> bool {
        let sig = signature.as_bytes();
        if sig.len() != 128 {
            return false;
        }
        let mut raw = [0u8; 64];
        for (i, pair) in sig.chunks(2).enumerate() {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(h), Some(l)) => raw[i] = h << 4 | l,
                _ => return false,
            }
        }
        let mut mac = self.0.clone();
        mac.update(body);
        mac.verify_slice(&raw).is_ok()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_vector() {
        let s = Signer::new(b"AbCdEfG123456");
        let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
        let sig = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";
        assert_eq!(s.sign(body), sig);
        assert!(s.verify(body, &sig.to_uppercase()));
        assert!(!s.verify(b"{}", sig));
    }
}
