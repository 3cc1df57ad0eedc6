//! HMAC-SHA512 request and callback signatures.
//!
//! The API signs the exact raw body bytes: `lowercase_hex(HMAC_SHA512(secret, body))`, 128
//! characters. A [`Signer`] keeps the keyed HMAC state (the inner and outer pads already
//! absorbed), so each signature costs only the hashing of the body. Verification accepts
//! upper- or lower-case hex and compares the MAC in constant time; a signature of the wrong
//! length or with a non-hex character is simply a mismatch.
//!
//! Two SHA-512 implementations: RustCrypto's `sha2` (runtime AVX2 dispatch) for ordinary
//! bodies, and, from [`LARGE_BODY`] bytes on, `ring`'s (the OpenSSL-derived assembly that
//! already serves TLS in this library), which streams about 15% faster but has no
//! pre-keyed state that can be wiped, so it starts each large body from the key block.

use hmac::digest::CtOutput;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha512};
use std::fmt;
use zeroize::Zeroizing;

/// Length of a hex signature, in characters.
pub const SIGNATURE_HEX_LEN: usize = 128;

/// Length of the raw MAC, in bytes.
const MAC_LEN: usize = 64;

type HmacSha512 = Hmac<Sha512>;

/// SHA-512's block size, and so HMAC-SHA512's key block size.
const BLOCK_LEN: usize = 128;

/// Bodies from this size on are hashed by `ring`. Below it the pre-keyed `sha2` state wins:
/// `ring` must first absorb the padded key (one more block) and is no faster on a few
/// blocks; from a few kilobytes on its faster block function pays for that block.
pub const LARGE_BODY: usize = 4096;

/// Lowercase hex digits, one pair per byte value (a lookup per byte, no formatting).
static HEX_PAIRS: [[u8; 2]; 256] = {
    let digits = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [digits[i >> 4], digits[i & 15]];
        i += 1;
    }
    table
};

/// The value of a hex digit (either case), or 0xFF.
static HEX_VALUES: [u8; 256] = {
    let mut table = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut j = 0;
    while j < 6 {
        table[b'a' as usize + j] = 10 + j as u8;
        table[b'A' as usize + j] = 10 + j as u8;
        j += 1;
    }
    table
};

/// A pre-keyed HMAC-SHA512 signer.
///
/// `Send + Sync`: signing takes `&self` and works on a copy of the keyed state, so one
/// signer serves many threads. The keyed state is zeroized when the signer is dropped, and
/// `Debug` never shows it.
#[derive(Clone)]
pub struct Signer {
    keyed: HmacSha512,
    /// HMAC's key block K0 (the secret, or its SHA-512 when longer than a block, padded
    /// with zeros), from which large bodies start. Wiped when dropped.
    key_block: Zeroizing<[u8; BLOCK_LEN]>,
}

impl Signer {
    /// A signer for `secret` (any length; HMAC hashes keys longer than a block).
    pub fn new(secret: &[u8]) -> Signer {
        let mut key_block = Zeroizing::new([0u8; BLOCK_LEN]);
        if secret.len() > BLOCK_LEN {
            let digest = Zeroizing::new(<[u8; MAC_LEN]>::from(Sha512::digest(secret)));
            key_block[..MAC_LEN].copy_from_slice(&digest[..]);
        } else {
            key_block[..secret.len()].copy_from_slice(secret);
        }
        Signer {
            keyed: <HmacSha512 as KeyInit>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length"),
            key_block,
        }
    }

    fn mac(&self, body: &[u8]) -> [u8; MAC_LEN] {
        if body.len() >= LARGE_BODY {
            return self.mac_large(body);
        }
        let mut mac = self.keyed.clone();
        mac.update(body);
        let out = mac.finalize().into_bytes();
        let mut bytes = [0u8; MAC_LEN];
        bytes.copy_from_slice(&out);
        bytes
    }

    /// HMAC from its definition, `H((K0 ^ opad) || H((K0 ^ ipad) || body))`, with `ring`
    /// hashing the body. The padded keys live in buffers wiped on return; `ring`'s state
    /// holds the keyed inner state only until the body's first block overwrites it in
    /// place, and the outer hash (key block and the 64-byte inner digest: two blocks) is
    /// `sha2`'s, wiped when dropped.
    fn mac_large(&self, body: &[u8]) -> [u8; MAC_LEN] {
        let mut pad = Zeroizing::new([0u8; BLOCK_LEN]);
        for (p, k) in pad.iter_mut().zip(self.key_block.iter()) {
            *p = k ^ 0x36;
        }
        let mut inner = ring::digest::Context::new(&ring::digest::SHA512);
        inner.update(&pad[..]);
        inner.update(body);
        let inner = inner.finish();
        for (p, k) in pad.iter_mut().zip(self.key_block.iter()) {
            *p = k ^ 0x5c;
        }
        let mut outer = Sha512::new();
        outer.update(&pad[..]);
        outer.update(inner.as_ref());
        let mut bytes = [0u8; MAC_LEN];
        bytes.copy_from_slice(&outer.finalize());
        bytes
    }

    /// The signature of `body` as 128 lowercase hex bytes (ASCII).
    pub fn sign_hex(&self, body: &[u8]) -> [u8; SIGNATURE_HEX_LEN] {
        let mac = self.mac(body);
        let mut out = [0u8; SIGNATURE_HEX_LEN];
        for (pair, byte) in out.chunks_exact_mut(2).zip(mac.iter()) {
            pair.copy_from_slice(&HEX_PAIRS[*byte as usize]);
        }
        out
    }

    /// The signature of `body` as a lowercase hex string.
    pub fn sign(&self, body: &[u8]) -> String {
        let hex = self.sign_hex(body);
        // The table only holds ASCII hex digits.
        String::from_utf8(hex.to_vec()).expect("hex is ASCII")
    }

    /// Whether `signature` (hex, either case) is the signature of `body`. The MAC is
    /// compared in constant time; a wrong length or a non-hex character is a mismatch.
    pub fn verify(&self, body: &[u8], signature: &[u8]) -> bool {
        let Some(expected) = decode_hex_signature(signature) else {
            return false;
        };
        if body.len() >= LARGE_BODY {
            let ours = CtOutput::<HmacSha512>::new(self.mac_large(body).into());
            return ours == CtOutput::new(expected.into());
        }
        let mut mac = self.keyed.clone();
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { key: <redacted> }")
    }
}

/// Decodes a 128-character hex signature (either case) into its 64 bytes. The loop does the
/// same work whatever the input, and reports only at the end whether every digit was valid.
pub fn decode_hex_signature(signature: &[u8]) -> Option<[u8; MAC_LEN]> {
    if signature.len() != SIGNATURE_HEX_LEN {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    let mut invalid = 0u8;
    for (byte, pair) in out.iter_mut().zip(signature.chunks_exact(2)) {
        let hi = HEX_VALUES[pair[0] as usize];
        let lo = HEX_VALUES[pair[1] as usize];
        invalid |= (hi | lo) & 0xF0;
        *byte = (hi << 4) | (lo & 0x0F);
    }
    (invalid == 0).then_some(out)
}

/// The signature of `body` under `secret`, as lowercase hex.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    Signer::new(secret).sign(body)
}

/// Whether `signature` (hex, either case) matches `body` under `secret`, in constant time.
pub fn verify(secret: &[u8], body: &[u8], signature: &[u8]) -> bool {
    Signer::new(secret).verify(body, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official vector (spec §1.4).
    pub(crate) const VECTOR_SECRET: &[u8] = b"AbCdEfG123456";
    pub(crate) const VECTOR_BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"123456"}"#;
    pub(crate) const VECTOR_SIGNATURE: &str = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";

    #[test]
    fn official_vector() {
        assert_eq!(sign(VECTOR_SECRET, VECTOR_BODY), VECTOR_SIGNATURE);
        let signer = Signer::new(VECTOR_SECRET);
        assert_eq!(signer.sign(VECTOR_BODY), VECTOR_SIGNATURE);
        // The pre-keyed state is reused, not consumed.
        assert_eq!(signer.sign(VECTOR_BODY), VECTOR_SIGNATURE);
    }

    #[test]
    fn verify_accepts_either_case_and_rejects_the_rest() {
        let s = Signer::new(VECTOR_SECRET);
        assert!(s.verify(VECTOR_BODY, VECTOR_SIGNATURE.as_bytes()));
        assert!(s.verify(VECTOR_BODY, VECTOR_SIGNATURE.to_uppercase().as_bytes()));
        assert!(!s.verify(b"{}", VECTOR_SIGNATURE.as_bytes()));
        assert!(!s.verify(VECTOR_BODY, &VECTOR_SIGNATURE.as_bytes()[..126]));
        assert!(!s.verify(VECTOR_BODY, b""));
        let mut bad = VECTOR_SIGNATURE.as_bytes().to_vec();
        bad[5] = b'g';
        assert!(!s.verify(VECTOR_BODY, &bad));
        let mut flipped = VECTOR_SIGNATURE.as_bytes().to_vec();
        flipped[127] = b'd';
        assert!(!s.verify(VECTOR_BODY, &flipped));
        assert!(!verify(b"other", VECTOR_BODY, VECTOR_SIGNATURE.as_bytes()));
    }

    #[test]
    fn long_and_empty_keys() {
        let long = vec![7u8; 300];
        let sig = sign(&long, b"x");
        assert_eq!(sig.len(), 128);
        assert!(verify(&long, b"x", sig.as_bytes()));
        assert!(verify(b"", b"", sign(b"", b"").as_bytes()));
    }

    /// HMAC-SHA512 straight from its definition with the `hmac` crate, for any length.
    fn reference(secret: &[u8], body: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = <HmacSha512 as KeyInit>::new_from_slice(secret).unwrap();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn both_hash_paths_agree_around_the_threshold_and_block_edges() {
        let body: Vec<u8> = (0..LARGE_BODY * 3 + 300).map(|i| (i * 7) as u8).collect();
        for secret in [&b""[..], b"k", &[9u8; 128], &[9u8; 129], &[1u8; 300]] {
            let signer = Signer::new(secret);
            for len in [
                0,
                1,
                127,
                128,
                129,
                LARGE_BODY - 129,
                LARGE_BODY - 1,
                LARGE_BODY,
                LARGE_BODY + 1,
                LARGE_BODY + 111,
                LARGE_BODY * 3 + 300,
            ] {
                let expected = reference(secret, &body[..len]);
                assert_eq!(signer.mac(&body[..len]), expected, "len {len}");
                let hex = signer.sign(&body[..len]);
                assert!(signer.verify(&body[..len], hex.as_bytes()), "len {len}");
                assert!(signer.verify(&body[..len], hex.to_uppercase().as_bytes()));
                let mut wrong = hex.into_bytes();
                wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
                assert!(!signer.verify(&body[..len], &wrong), "len {len}");
            }
        }
    }

    #[test]
    fn debug_redacts_the_key() {
        let s = Signer::new(VECTOR_SECRET);
        assert!(!format!("{s:?}").contains("AbCdEfG"));
    }

    #[test]
    fn keyed_state_is_zeroized_on_drop() {
        // The keyed HMAC holds two SHA-512 block states (the inner and the outer pad
        // absorbed) and a block buffer; with the `zeroize` features each state wipes itself
        // when dropped, so a dropped Signer leaves no key material behind.
        fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<sha2::block_api::Sha512VarCore>();
        assert_zeroize_on_drop::<hmac::digest::CtOutput<HmacSha512>>();
        // The key block large bodies start from.
        assert_zeroize_on_drop::<Zeroizing<[u8; BLOCK_LEN]>>();
    }
}
