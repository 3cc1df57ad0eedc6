//! The retry policy: which failed attempts may be repeated, and what a failed call finally
//! reports. Driven by the operation's [`RetryClass`] and nothing else (ARCHITECTURE.md
//! rule 11):
//!
//! - every class: a request whose connection was never established is re-sent; a 429 is
//!   re-sent after its `Retry-After` when that is at most [`RETRY_AFTER_CAP`] (a 429 means
//!   the service applied nothing);
//! - `ReadOnly` and `Guarded`: re-sent (the very same bytes) after a timeout, a dropped
//!   connection or a 5xx;
//! - `Unguarded`: never re-sent once it may have reached the service.
//!
//! Once an attempt of a money-moving call may have reached the service, no later failure of
//! that call is reported as definite: the call ends with `OUTCOME_UNKNOWN`, carrying the
//! last attempt's failure (its status as [`Error::cause`], its HTTP status, code and body).
//! A `Guarded` call whose repeat meets the duplicate refusal ends with
//! `DUPLICATE_FOREIGN_ID`, "may already have happened".

use crate::error::{preview, Error, Status};
use crate::operations::{OperationKind, RetryClass};
use std::time::{Duration, Instant};

/// One attempt of a call: how it ended and how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// `Ok` for the attempt that got the call's reply, else the status of its failure.
    pub status: Status,
    /// The HTTP status of its reply, when it got one.
    pub http_status: Option<u16>,
    /// From the start of the attempt to its reply or failure.
    pub duration: Duration,
    /// Whether the request may have reached the service: false only when its connection
    /// was never established.
    pub may_have_reached: bool,
}

/// What happened during one call: every attempt in order, and the call's total time
/// (backoff and `Retry-After` waits included). Empty when nothing was sent (a request
/// refused by validation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptRecord {
    /// The attempts, first to last.
    pub attempts: Vec<Attempt>,
    /// The call's total time.
    pub total: Duration,
}

impl AttemptRecord {
    /// `{"total_us": …, "attempts": [{"status": "TRANSPORT", "http_status": 0,
    /// "duration_us": …, "may_have_reached": false}, …]}`: times in microseconds, the
    /// status by name, `http_status` 0 when there was no reply.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(64 + 96 * self.attempts.len());
        self.write_json(&mut out);
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// [`AttemptRecord::to_json`], appended to `out`: written field by field (numbers by
    /// serde_json, names are plain identifiers), no intermediate structs.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let number = |out: &mut Vec<u8>, n: u64| {
            serde_json::to_writer(&mut *out, &n).expect("a number serializes")
        };
        out.extend_from_slice(b"{\"total_us\":");
        number(out, micros(self.total));
        out.extend_from_slice(b",\"attempts\":[");
        for (i, a) in self.attempts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"status\":");
            serde_json::to_writer(&mut *out, a.status.name()).expect("a name serializes");
            out.extend_from_slice(b",\"http_status\":");
            number(out, a.http_status.unwrap_or(0).into());
            out.extend_from_slice(b",\"duration_us\":");
            number(out, micros(a.duration));
            out.extend_from_slice(b",\"may_have_reached\":");
            out.extend_from_slice(if a.may_have_reached {
                b"true"
            } else {
                b"false"
            });
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
}

/// First backoff delay; doubles per retry, with jitter.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff delay.
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// Longest `Retry-After` honoured on a 429; a longer one is returned to the caller.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(10);

/// Whether a failed attempt may have changed something on the service: anything that may
/// have been sent, except a definite refusal (4xx, including 429).
fn may_have_applied(error: &Error, before_send: bool) -> bool {
    !before_send
        && !matches!(
            error.status(),
            Status::RateLimited
                | Status::Auth
                | Status::Api
                | Status::DuplicateForeignId
                | Status::InvalidArgument
                | Status::Validation
        )
}

/// The attempts of one call: decides on retries and on the error the call ends with.
pub(crate) struct Attempts {
    kind: OperationKind,
    max_retries: u32,
    retries: u32,
    reached: bool,
    log: Vec<String>,
    started: Instant,
    record: Vec<Attempt>,
}

impl Attempts {
    /// A new call of `kind` with at most `max_retries` retries.
    pub(crate) fn new(kind: OperationKind, max_retries: u32) -> Attempts {
        Attempts {
            kind,
            max_retries,
            retries: 0,
            reached: false,
            log: Vec::new(),
            started: Instant::now(),
            record: Vec::new(),
        }
    }

    /// The record of the call so far.
    fn record(&mut self) -> AttemptRecord {
        AttemptRecord {
            attempts: std::mem::take(&mut self.record),
            total: self.started.elapsed(),
        }
    }

    /// Records the attempt that got the call's reply; the call's record.
    pub(crate) fn succeeded(mut self, http_status: u16, duration: Duration) -> AttemptRecord {
        self.record.push(Attempt {
            status: Status::Ok,
            http_status: Some(http_status),
            duration,
            may_have_reached: true,
        });
        self.record()
    }

    /// Records a failed attempt that took `duration`; the delay before the next one, or
    /// `None` to stop.
    pub(crate) fn failed(
        &mut self,
        error: &Error,
        before_send: bool,
        duration: Duration,
    ) -> Option<Duration> {
        self.record.push(Attempt {
            status: error.status(),
            http_status: error.http_status(),
            duration,
            may_have_reached: !before_send,
        });
        self.reached |= may_have_applied(error, before_send);
        self.log
            .push(summary(self.log.len() + 1, error, before_send));
        if self.retries >= self.max_retries {
            return None;
        }
        let status = error.status();
        let delay = if status == Status::RateLimited {
            error
                .retry_after()
                .map(Duration::from_secs)
                .filter(|d| *d <= RETRY_AFTER_CAP)
        } else if before_send {
            Some(backoff(self.retries))
        } else {
            let repeatable = matches!(status, Status::Transport | Status::Timeout | Status::Server);
            match self.kind.retry_class() {
                RetryClass::ReadOnly | RetryClass::Guarded if repeatable => {
                    Some(backoff(self.retries))
                }
                _ => None,
            }
        };
        if delay.is_some() {
            self.retries += 1;
        }
        delay
    }

    /// The error the call ends with, from the last attempt's `error`. `body` is the request
    /// body (for its `foreign_id`).
    pub(crate) fn conclude(mut self, error: Error, body: &[u8]) -> Error {
        let error = error.with_attempts(self.record());
        let class = self.kind.retry_class();
        if !class.moves_money() {
            return error;
        }
        let foreign_id = crate::operations::foreign_id_of(body);
        let op = self.kind.name();
        let which = match &foreign_id {
            Some(f) => format!("{op} with foreign_id {f:?}"),
            None => format!("{op} (no foreign_id)"),
        };
        let look_up = match &foreign_id {
            Some(f) => format!("look it up by foreign_id {f:?} (transactions/info; reconcile)"),
            None => "look it up in the back office".to_string(),
        };
        let attempts = self.log.join("; ");
        let cause = error.status();
        if !self.reached {
            return error.with_foreign_id(foreign_id);
        }
        if class == RetryClass::Guarded && cause == Status::DuplicateForeignId {
            let message = format!(
                "{which}: foreign_id already taken after a repeat: an earlier attempt may already have succeeded [{attempts}]; {look_up} before trying again"
            );
            return error
                .with_status(Status::DuplicateForeignId, message)
                .with_cause(cause)
                .with_foreign_id(foreign_id);
        }
        let accepted = error.http_status().is_some_and(|h| (200..300).contains(&h));
        let what = if accepted {
            "was accepted by the service but its reply could not be read"
        } else {
            "may have reached the service and its outcome is unknown"
        };
        let message = format!(
            "{which} {what} [{attempts}]: do not send it again with a new foreign_id; wait for its callback, or {look_up}"
        );
        error
            .with_status(Status::OutcomeUnknown, message)
            .with_cause(cause)
            .with_foreign_id(foreign_id)
    }
}

/// One attempt, in a few words, for the final message.
fn summary(n: usize, error: &Error, before_send: bool) -> String {
    let mut s = format!("attempt {n}: {}", error.status().name());
    if let Some(http) = error.http_status() {
        s.push_str(&format!(" HTTP {http}"));
    }
    if before_send {
        s.push_str(" (not sent)");
    } else if error.http_status().is_none() {
        s.push_str(&format!(" ({})", preview_short(error.message())));
    }
    s
}

fn preview_short(text: &str) -> String {
    let p = preview(text);
    match p.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &p[..i]),
        None => p,
    }
}

/// A pseudo-random fraction in [0.5, 1.0) for jitter, from the std hasher's random keys.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    0.5 + (h.finish() >> 11) as f64 / (1u64 << 53) as f64 / 2.0
}

fn backoff(retry: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1 << retry.min(10));
    exp.min(BACKOFF_CAP).mul_f64(jitter())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"w-1","amount":"1"}"#;

    fn timeout() -> Error {
        Error::new(Status::Timeout, "timeout (global)")
    }

    #[test]
    fn the_record_as_json() {
        let record = AttemptRecord {
            attempts: vec![
                Attempt {
                    status: Status::Transport,
                    http_status: None,
                    duration: Duration::from_micros(1500),
                    may_have_reached: false,
                },
                Attempt {
                    status: Status::Ok,
                    http_status: Some(201),
                    duration: Duration::from_nanos(2_999),
                    may_have_reached: true,
                },
            ],
            total: Duration::from_secs(3),
        };
        assert_eq!(
            record.to_json(),
            r#"{"total_us":3000000,"attempts":[{"status":"TRANSPORT","http_status":0,"duration_us":1500,"may_have_reached":false},{"status":"OK","http_status":201,"duration_us":2,"may_have_reached":true}]}"#
        );
        assert_eq!(
            AttemptRecord::default().to_json(),
            r#"{"total_us":0,"attempts":[]}"#
        );
    }

    fn http(status: Status, code: u16, retry_after: Option<u64>) -> Error {
        Error::new(status, format!("HTTP {code}"))
            .with_http_status(code)
            .with_retry_after(retry_after)
            .with_raw_body(b"body".to_vec())
    }

    #[test]
    fn backoff_is_bounded() {
        for r in 0..12 {
            let d = backoff(r);
            assert!(d <= BACKOFF_CAP && d >= BACKOFF_BASE / 2, "{d:?}");
        }
    }

    #[test]
    fn unguarded_is_never_resent_once_it_may_have_arrived() {
        let mut a = Attempts::new(OperationKind::WithdrawalCrypto, 5);
        assert_eq!(a.failed(&timeout(), false, Duration::ZERO), None);
        let e = a.conclude(timeout(), BODY);
        assert_eq!(e.status(), Status::OutcomeUnknown);
        assert_eq!(e.cause(), Some(Status::Timeout));
        assert_eq!(e.foreign_id(), Some("w-1"));
        assert!(e.message().contains("withdrawal/crypto"), "{}", e.message());
        assert!(e.message().contains("\"w-1\""), "{}", e.message());
        assert!(e.message().contains("callback"), "{}", e.message());
        for status in [
            Status::Server,
            Status::Transport,
            Status::Tls,
            Status::Decode,
        ] {
            let mut a = Attempts::new(OperationKind::ExchangeNow, 5);
            let err = Error::new(status, "x");
            assert_eq!(a.failed(&err, false, Duration::ZERO), None, "{status:?}");
            assert_eq!(a.conclude(err, BODY).status(), Status::OutcomeUnknown);
        }
    }

    #[test]
    fn not_sent_or_rate_limited_is_resent_in_every_class() {
        for kind in crate::operations::OPERATIONS.iter().map(|o| o.kind) {
            let mut a = Attempts::new(kind, 2);
            let refused = Error::new(Status::Transport, "connection failed");
            assert!(
                a.failed(&refused, true, Duration::ZERO).is_some(),
                "{kind:?}"
            );
            let short = http(Status::RateLimited, 429, Some(1));
            assert_eq!(
                a.failed(&short, false, Duration::ZERO),
                Some(Duration::from_secs(1))
            );
            // Out of retries: the last 429 is definite, nothing was applied.
            assert_eq!(a.failed(&short, false, Duration::ZERO), None);
            let e = a.conclude(short, BODY);
            assert_eq!(e.status(), Status::RateLimited, "{kind:?}");
        }
    }

    #[test]
    fn a_refusal_after_a_lost_reply_is_not_definite() {
        let mut a = Attempts::new(OperationKind::InvoicesCreate, 3);
        assert!(a.failed(&timeout(), false, Duration::ZERO).is_some());
        let long = http(Status::RateLimited, 429, Some(3600));
        assert_eq!(a.failed(&long, false, Duration::ZERO), None);
        let e = a.conclude(long, BODY);
        assert_eq!(e.status(), Status::OutcomeUnknown);
        assert_eq!(e.cause(), Some(Status::RateLimited));
        assert_eq!(e.http_status(), Some(429));
        assert_eq!(e.raw_body(), Some(&b"body"[..]));
        assert!(
            e.message().contains("attempt 1: TIMEOUT"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("attempt 2: RATE_LIMITED HTTP 429"));

        let mut a = Attempts::new(OperationKind::InvoicesCreate, 3);
        assert!(a.failed(&timeout(), false, Duration::ZERO).is_some());
        let dup = http(Status::DuplicateForeignId, 400, None);
        assert_eq!(a.failed(&dup, false, Duration::ZERO), None);
        let e = a.conclude(dup, BODY);
        assert_eq!(e.status(), Status::DuplicateForeignId);
        assert!(e.message().contains("may already have succeeded"));
    }

    #[test]
    fn definite_refusals_stay_definite_when_nothing_arrived_before() {
        let mut a = Attempts::new(OperationKind::WithdrawalCrypto, 2);
        let bad = http(Status::Api, 400, None);
        assert_eq!(a.failed(&bad, false, Duration::ZERO), None);
        let e = a.conclude(bad, BODY);
        assert_eq!(e.status(), Status::Api);
        assert_eq!(e.foreign_id(), Some("w-1"));
        // A duplicate on the first attempt is the plain duplicate.
        let mut a = Attempts::new(OperationKind::InvoicesCreate, 2);
        let dup = http(Status::DuplicateForeignId, 400, None);
        assert_eq!(a.failed(&dup, false, Duration::ZERO), None);
        assert_eq!(a.conclude(dup, BODY).cause(), None);
    }

    #[test]
    fn read_only_calls_report_the_failure_itself() {
        let mut a = Attempts::new(OperationKind::TransactionsInfo, 1);
        assert!(a.failed(&timeout(), false, Duration::ZERO).is_some());
        assert_eq!(a.failed(&timeout(), false, Duration::ZERO), None);
        assert_eq!(a.conclude(timeout(), b"{}").status(), Status::Timeout);
    }

    #[test]
    fn an_unreadable_success_of_a_money_call_is_outcome_unknown() {
        let mut a = Attempts::new(OperationKind::WithdrawalCrypto, 2);
        let e = Error::new(Status::Decode, "not JSON").with_http_status(200);
        assert_eq!(a.failed(&e, false, Duration::ZERO), None);
        let e = a.conclude(e, BODY);
        assert_eq!(e.status(), Status::OutcomeUnknown);
        assert!(e.message().contains("accepted"), "{}", e.message());
    }
}
