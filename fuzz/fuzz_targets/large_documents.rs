//! Large, deep and wide documents up to the 8 MiB reply cap: the input is a small recipe
//! that a generator expands into a JSON reply (many leaves under long keys, deep nesting,
//! wide objects, long strings, many numbers), decoded through the C ABI with lookups by
//! path, and, when it fits the 1 MiB callback cap, verified and parsed as a callback. The
//! cost must stay linear: the whole iteration has a time budget (libFuzzer's -timeout) and
//! the process an RSS limit (-rss_limit_mb in fuzz/run.sh).
//!
//! Recipe: byte 0 the shape, bytes 1-2 a count, byte 3 a key length, byte 4 a depth, the
//! rest a seed for key and leaf texts.
#![no_main]

use alphapo::ffi::callback::*;
use alphapo::ffi::client::alphapo_decode_reply;
use alphapo::ffi::error::alphapo_error_free;
use alphapo::ffi::response::*;
use alphapo::ffi::signer::{alphapo_sign, alphapo_signer_free, alphapo_signer_new};
use alphapo::Status;
use libfuzzer_sys::fuzz_target;
use std::ffi::CString;
use std::ptr;

const CAP: usize = 8 << 20;

fn generate(recipe: &[u8]) -> (Vec<u8>, String) {
    let shape = recipe[0] % 5;
    let count = (u16::from_le_bytes([recipe[1], recipe[2]]) as usize + 1) * 16;
    let key: String = std::iter::repeat(char::from(b'a' + recipe[3] % 26))
        .take(recipe[3] as usize * 24 + 1)
        .collect();
    let depth = recipe[4] as usize % 200 + 1;
    let seed = &recipe[5..];
    let leaf = |i: usize| -> String {
        match seed.get(i % seed.len().max(1)).copied().unwrap_or(0) % 4 {
            0 => i.to_string(),
            1 => format!("\"{}\"", "x".repeat(i % 50)),
            2 => format!("{i}.{}e-{}", i % 97, i % 30),
            _ => "null".into(),
        }
    };
    let mut body = String::from("{\"data\":");
    let path;
    match shape {
        // Many leaves under one long key.
        0 => {
            body.push_str(&format!("{{\"{key}\":["));
            for i in 0..count * 64 {
                if body.len() > CAP - 64 {
                    break;
                }
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&leaf(i));
            }
            body.push_str("]}");
            path = format!("{key}.0");
        }
        // Deep nesting (past serde_json's recursion limit when depth is high).
        1 => {
            for _ in 0..depth {
                body.push_str(&format!("{{\"{key}\":"));
            }
            body.push('1');
            for _ in 0..depth {
                body.push('}');
            }
            path = vec![key.as_str(); depth].join(".");
        }
        // A wide object of distinct long keys.
        2 => {
            body.push('{');
            for i in 0..count * 4 {
                if body.len() + key.len() + 128 > CAP {
                    break;
                }
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!("\"{key}{i}\":{}", leaf(i)));
            }
            body.push('}');
            path = format!("{key}0");
        }
        // One very long string.
        3 => {
            let n = (count * 512).min(CAP - key.len() - 64);
            body.push_str(&format!("{{\"{key}\":\"{}\"}}", "y".repeat(n)));
            path = key.clone();
        }
        // Keys with dots, nested and flat at once.
        _ => {
            body.push('{');
            for i in 0..count {
                if body.len() + key.len() + 128 > CAP {
                    break;
                }
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!(
                    "\"a.{i}\":{{\"{key}\":{}}},\"a\":{{\"{i}\":1}}",
                    leaf(i)
                ));
            }
            body.push('}');
            path = format!("a.0.{key}");
        }
    }
    body.push('}');
    (body.into_bytes(), path)
}

fuzz_target!(|recipe: &[u8]| {
    if recipe.len() < 6 {
        return;
    }
    let (body, path) = generate(recipe);
    assert!(body.len() <= CAP + 64);
    let c_path = CString::new(path).unwrap();

    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = alphapo_decode_reply(14, 200, body.as_ptr(), body.len(), &mut out, &mut err);
    assert!(matches!(st, Status::Ok | Status::Decode), "{st:?}");
    if st == Status::Ok {
        let _ = alphapo_response_get(out, c_path.as_ptr());
        let _ = alphapo_response_get(out, c"data".as_ptr());
        // SAFETY: a response just returned, freed once.
        unsafe { alphapo_response_free(out) };
    }
    // SAFETY: NULL or an error just returned, freed once.
    unsafe { alphapo_error_free(err) };

    if body.len() <= 1 << 20 {
        let secret = b"fuzz-secret";
        let mut signer = ptr::null_mut();
        assert_eq!(
            alphapo_signer_new(secret.as_ptr(), secret.len(), &mut signer),
            Status::Ok
        );
        let mut sig = [0u8; 129];
        assert_eq!(
            alphapo_sign(
                secret.as_ptr(),
                secret.len(),
                body.as_ptr(),
                body.len(),
                sig.as_mut_ptr().cast(),
                sig.len()
            ),
            Status::Ok
        );
        let mut cb = ptr::null_mut();
        let mut err = ptr::null_mut();
        let st = alphapo_callback_parse(
            signer,
            body.as_ptr(),
            body.len(),
            sig.as_ptr().cast(),
            128,
            ptr::null(),
            ptr::null(),
            &mut cb,
            &mut err,
        );
        assert!(matches!(st, Status::Ok | Status::Decode), "{st:?}");
        if st == Status::Ok {
            assert!(!alphapo_callback_dedupe_key(cb).is_null());
            let _ = alphapo_callback_get(cb, c_path.as_ptr());
            // SAFETY: a callback just returned, freed once.
            unsafe { alphapo_callback_free(cb) };
        }
        // SAFETY: NULL or an error just returned, freed once; the signer likewise.
        unsafe {
            alphapo_error_free(err);
            alphapo_signer_free(signer);
        }
    }
});
