//! Hex signature parsing and verification: `alphapo::signature::decode_hex_signature`
//! against a plain reference decoder, `Signer::verify` against "the 128 hex characters of
//! the HMAC, either case", a signature with one character replaced, the C ABI's
//! `alphapo_sign` / `alphapo_verify` with the same bytes, and every signature against the
//! `hmac` crate, for small bodies and for bodies past `signature::LARGE_BODY` (where the
//! signer hashes with `ring`).
//!
//! Input: byte 0 splits the rest into body and candidate signature; the whole input is
//! also decoded as a signature, used as a key, and repeated into a large body.
#![no_main]

use alphapo::ffi::signer::{alphapo_sign, alphapo_verify};
use alphapo::signature::{decode_hex_signature, LARGE_BODY};
use alphapo::{Signer, Status};
use libfuzzer_sys::fuzz_target;

// The sandbox's HMAC-SHA512 (examples/sandbox/sign.rs); only its `sign` is used here.
#[allow(dead_code)]
#[path = "../../examples/sandbox/sign.rs"]
mod reference;

const SECRET: &[u8] = b"AbCdEfG123456";

fn reference_decode(s: &[u8]) -> Option<[u8; 64]> {
    if s.len() != 128 || !s.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 64];
    for (i, pair) in s.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// HMAC-SHA512 by the `hmac` crate, as lowercase hex: the sandbox's signer, which shares no
/// code with the library.
fn reference_sign(key: &[u8], body: &[u8]) -> String {
    reference::Signer::new(key).sign(body)
}

fn status(ok: bool) -> Status {
    if ok {
        Status::Ok
    } else {
        Status::SignatureMismatch
    }
}

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode_hex_signature(data), reference_decode(data));

    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let k = split as usize % (rest.len() + 1);
    let (body, candidate) = rest.split_at(k);
    let signer = Signer::new(SECRET);
    let expected = signer.sign(body);
    assert_eq!(expected, reference_sign(SECRET, body));
    assert_eq!(expected, alphapo::sign(SECRET, body));

    let want = candidate.len() == 128 && candidate.eq_ignore_ascii_case(expected.as_bytes());
    assert_eq!(signer.verify(body, candidate), want);
    assert_eq!(
        alphapo_verify(
            SECRET.as_ptr(),
            SECRET.len(),
            body.as_ptr(),
            body.len(),
            candidate.as_ptr().cast(),
            candidate.len()
        ),
        status(want)
    );

    assert!(signer.verify(body, expected.as_bytes()));
    assert!(signer.verify(body, expected.to_ascii_uppercase().as_bytes()));

    // Replace one character of the right signature with a byte of the input.
    let mut changed = expected.clone().into_bytes();
    let i = (split as usize).wrapping_mul(7) % 128;
    let b = candidate.first().copied().unwrap_or(b'z');
    let same = b.eq_ignore_ascii_case(&changed[i]);
    changed[i] = b;
    assert_eq!(signer.verify(body, &changed), same);

    // The whole input as a key: C and Rust agree.
    let mut out = [0u8; 129];
    assert_eq!(
        alphapo_sign(
            data.as_ptr(),
            data.len(),
            body.as_ptr(),
            body.len(),
            out.as_mut_ptr().cast(),
            out.len()
        ),
        Status::Ok
    );
    assert_eq!(&out[..128], reference_sign(data, body).as_bytes());
    assert_eq!(out[128], 0);

    // A body past the large-body threshold (4 KiB + up to 4 KiB, from the input repeated).
    if !data.is_empty() {
        let len = LARGE_BODY + (split as usize * 31) % LARGE_BODY;
        let large: Vec<u8> = data.iter().copied().cycle().take(len).collect();
        let want = reference_sign(data, &large);
        let keyed = Signer::new(data);
        assert_eq!(keyed.sign(&large), want, "large body, {len} bytes");
        assert!(keyed.verify(&large, want.to_ascii_uppercase().as_bytes()));
        let mut wrong = want.into_bytes();
        wrong[(split as usize) % 128] ^= 1;
        assert!(!keyed.verify(&large, &wrong), "one changed digit verified");
    }
});
