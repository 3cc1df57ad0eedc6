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
use std::time::Duration;

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
        }
    }

    /// Records a failed attempt; the delay before the next one, or `None` to stop.
    pub(crate) fn failed(&mut self, error: &Error, before_send: bool) -> Option<Duration> {
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
    pub(crate) fn conclude(self, error: Error, body: &[u8]) -> Error {
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
        assert_eq!(a.failed(&timeout(), false), None);
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
            assert_eq!(a.failed(&err, false), None, "{status:?}");
            assert_eq!(a.conclude(err, BODY).status(), Status::OutcomeUnknown);
        }
    }

    #[test]
    fn not_sent_or_rate_limited_is_resent_in_every_class() {
        for kind in crate::operations::OPERATIONS.iter().map(|o| o.kind) {
            let mut a = Attempts::new(kind, 2);
            let refused = Error::new(Status::Transport, "connection failed");
            assert!(a.failed(&refused, true).is_some(), "{kind:?}");
            let short = http(Status::RateLimited, 429, Some(1));
            assert_eq!(a.failed(&short, false), Some(Duration::from_secs(1)));
            // Out of retries: the last 429 is definite, nothing was applied.
            assert_eq!(a.failed(&short, false), None);
            let e = a.conclude(short, BODY);
            assert_eq!(e.status(), Status::RateLimited, "{kind:?}");
        }
    }

    #[test]
    fn a_refusal_after_a_lost_reply_is_not_definite() {
        let mut a = Attempts::new(OperationKind::InvoicesCreate, 3);
        assert!(a.failed(&timeout(), false).is_some());
        let long = http(Status::RateLimited, 429, Some(3600));
        assert_eq!(a.failed(&long, false), None);
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
        assert!(a.failed(&timeout(), false).is_some());
        let dup = http(Status::DuplicateForeignId, 400, None);
        assert_eq!(a.failed(&dup, false), None);
        let e = a.conclude(dup, BODY);
        assert_eq!(e.status(), Status::DuplicateForeignId);
        assert!(e.message().contains("may already have succeeded"));
    }

    #[test]
    fn definite_refusals_stay_definite_when_nothing_arrived_before() {
        let mut a = Attempts::new(OperationKind::WithdrawalCrypto, 2);
        let bad = http(Status::Api, 400, None);
        assert_eq!(a.failed(&bad, false), None);
        let e = a.conclude(bad, BODY);
        assert_eq!(e.status(), Status::Api);
        assert_eq!(e.foreign_id(), Some("w-1"));
        // A duplicate on the first attempt is the plain duplicate.
        let mut a = Attempts::new(OperationKind::InvoicesCreate, 2);
        let dup = http(Status::DuplicateForeignId, 400, None);
        assert_eq!(a.failed(&dup, false), None);
        assert_eq!(a.conclude(dup, BODY).cause(), None);
    }

    #[test]
    fn read_only_calls_report_the_failure_itself() {
        let mut a = Attempts::new(OperationKind::TransactionsInfo, 1);
        assert!(a.failed(&timeout(), false).is_some());
        assert_eq!(a.failed(&timeout(), false), None);
        assert_eq!(a.conclude(timeout(), b"{}").status(), Status::Timeout);
    }

    #[test]
    fn an_unreadable_success_of_a_money_call_is_outcome_unknown() {
        let mut a = Attempts::new(OperationKind::WithdrawalCrypto, 2);
        let e = Error::new(Status::Decode, "not JSON").with_http_status(200);
        assert_eq!(a.failed(&e, false), None);
        let e = a.conclude(e, BODY);
        assert_eq!(e.status(), Status::OutcomeUnknown);
        assert!(e.message().contains("accepted"), "{}", e.message());
    }
}
