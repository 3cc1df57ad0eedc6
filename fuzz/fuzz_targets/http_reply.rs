//! The HTTP/1.1 reply reader of the transport (`src/transport/http.rs`), over whatever a
//! server may send: no input panics or loops, a body never exceeds the cap, and how the
//! bytes arrive (one read, or split into several) changes neither the verdict nor the
//! reply; a connection kept for reuse after one read is kept after the split reads too
//! (bytes past the reply, seen at once in one read, may arrive only later when split).
//!
//! Input: byte 0 picks the body cap, byte 1 how many split points follow (at most 7), each a
//! byte giving a position in the rest, which is the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CAPS: [u64; 4] = [0, 16, 4096, 1 << 20];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let cap = CAPS[data[0] as usize % CAPS.len()];
    let splits = (data[1] as usize % 8).min(data.len() - 2);
    let (points, stream) = data[2..].split_at(splits);
    let mut at: Vec<usize> = points
        .iter()
        .map(|p| *p as usize * stream.len() / 255)
        .collect();
    at.sort_unstable();
    let mut reads = Vec::new();
    let mut from = 0;
    for to in at {
        reads.push(&stream[from..to]);
        from = to;
    }
    reads.push(&stream[from..]);
    // An empty read is the end of the stream: keep the split parts non-empty.
    reads.retain(|r| !r.is_empty());

    let whole = alphapo::fuzz_read_reply(&[stream], cap);
    let split = alphapo::fuzz_read_reply(&reads, cap);
    if let Ok((status, _, body, _)) = &whole {
        assert!((100..=999).contains(status), "status {status}");
        assert!(body.len() as u64 <= cap, "body of {} bytes over the cap {cap}", body.len());
    }
    match (&whole, &split) {
        (Ok(w), Ok(s)) => {
            assert_eq!((w.0, w.1, &w.2), (s.0, s.1, &s.2), "the split changed the reply");
            assert!(!w.3 || s.3, "reusable in one read, not when split");
        }
        (Err(_), Err(_)) => {}
        _ => panic!("one read: {whole:?}; split: {split:?}"),
    }
});
