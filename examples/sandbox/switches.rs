//! Behaviour the documentation does not state, chosen per run: set on the command line, read
//! and changed through `GET/POST /_sandbox/switches`, back to the command line's values on
//! `POST /_sandbox/reset`.

use serde_json::{json, Value};

use crate::decimal::Dec;

/// The success body of `POST /invoices/{foreign_id}/cancel/` (undocumented: "OK").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CancelReply {
    /// `{"data": <the invoice>}`
    Invoice,
    /// `[]`
    EmptyArray,
    /// `{}`
    EmptyObject,
    /// `"OK"`, a JSON string
    OkString,
    /// `OK` as text/plain
    OkText,
    /// `{"message":"OK"}`
    MessageOk,
}

pub const CANCEL_REPLIES: [(&str, CancelReply); 6] = [
    ("invoice", CancelReply::Invoice),
    ("empty_array", CancelReply::EmptyArray),
    ("empty_object", CancelReply::EmptyObject),
    ("ok_string", CancelReply::OkString),
    ("ok_text", CancelReply::OkText),
    ("message_ok", CancelReply::MessageOk),
];

impl CancelReply {
    pub fn parse(name: &str) -> Result<CancelReply, String> {
        CANCEL_REPLIES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| *r)
            .ok_or_else(|| {
                format!(
                    "unknown cancel_reply {name:?}; known: {}",
                    CANCEL_REPLIES.map(|(n, _)| n).join(", ")
                )
            })
    }

    pub fn name(self) -> &'static str {
        CANCEL_REPLIES
            .iter()
            .find(|(_, r)| *r == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// How `POST /_sandbox/deposit` confirms (spec §2.7 documents both).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DepositConfirmations {
    /// `not_confirmed`, then `confirmed`.
    TwoStep,
    /// One `confirmed` callback (instant confirmation).
    Instant,
}

impl DepositConfirmations {
    pub fn parse(name: &str) -> Result<DepositConfirmations, String> {
        match name {
            "two_step" => Ok(DepositConfirmations::TwoStep),
            "instant" => Ok(DepositConfirmations::Instant),
            other => Err(format!(
                "unknown deposit_confirmations {other:?}; known: two_step, instant"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DepositConfirmations::TwoStep => "two_step",
            DepositConfirmations::Instant => "instant",
        }
    }
}

/// The `status` of the callback for a payment arriving after a payment request ended (spec
/// payment-requests §1.9.2 case 7: its status string is undocumented).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LateStatus {
    /// `"late_payment"`.
    LatePayment,
    /// The request's own final status again (`expired`, `failed` or `paid`).
    Unchanged,
}

impl LateStatus {
    pub fn parse(name: &str) -> Result<LateStatus, String> {
        match name {
            "late_payment" => Ok(LateStatus::LatePayment),
            "unchanged" => Ok(LateStatus::Unchanged),
            other => Err(format!(
                "unknown payment_request_late_status {other:?}; known: late_payment, unchanged"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LateStatus::LatePayment => "late_payment",
            LateStatus::Unchanged => "unchanged",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Switches {
    /// Refuse a repeated `foreign_id` on withdrawal/crypto, exchange/fixed|now and payment
    /// requests (400 "The foreign id has already been taken."). invoices/create always refuses
    /// (documented).
    pub refuse_duplicate_foreign_id: bool,
    pub cancel_reply: CancelReply,
    /// Withdrawals whose debited amount (in `currency`) is above this wait as `pending`.
    pub withdrawal_approval_above: Option<Dec>,
    pub deposit_confirmations: DepositConfirmations,
    pub payment_request_late_status: LateStatus,
}

impl Default for Switches {
    fn default() -> Switches {
        Switches {
            refuse_duplicate_foreign_id: false,
            cancel_reply: CancelReply::Invoice,
            withdrawal_approval_above: None,
            deposit_confirmations: DepositConfirmations::TwoStep,
            payment_request_late_status: LateStatus::LatePayment,
        }
    }
}

pub const SWITCH_NAMES: [&str; 5] = [
    "refuse_duplicate_foreign_id",
    "cancel_reply",
    "withdrawal_approval_above",
    "deposit_confirmations",
    "payment_request_late_status",
];

/// A withdrawal approval limit: a decimal >= 0 with at most 8 places.
pub fn parse_limit(text: &str) -> Result<Dec, String> {
    match Dec::parse(text.trim()) {
        Ok(d) if d.is_positive() || d.is_zero() => Ok(d),
        _ => Err(format!(
            "withdrawal_approval_above must be a decimal >= 0 with at most 8 places, not {text:?}"
        )),
    }
}

impl Switches {
    pub fn to_json(self) -> Value {
        json!({
            "refuse_duplicate_foreign_id": self.refuse_duplicate_foreign_id,
            "cancel_reply": self.cancel_reply.name(),
            "withdrawal_approval_above": self.withdrawal_approval_above.map(|d| d.fmt8()),
            "deposit_confirmations": self.deposit_confirmations.name(),
            "payment_request_late_status": self.payment_request_late_status.name(),
        })
    }

    /// These switches with the ones named in `body` (a JSON object) changed: all or nothing.
    pub fn update(&self, body: &Value) -> Result<Switches, String> {
        let Some(map) = body.as_object() else {
            return Err(format!(
                "give a JSON object of switches; known: {}",
                SWITCH_NAMES.join(", ")
            ));
        };
        let mut s = *self;
        for (name, v) in map {
            s.set(name, v)?;
        }
        Ok(s)
    }

    fn set(&mut self, name: &str, v: &Value) -> Result<(), String> {
        match name {
            "refuse_duplicate_foreign_id" => match v {
                Value::Bool(b) => self.refuse_duplicate_foreign_id = *b,
                _ => return Err("refuse_duplicate_foreign_id takes true or false".into()),
            },
            "cancel_reply" => match v {
                Value::String(n) => self.cancel_reply = CancelReply::parse(n)?,
                _ => return Err(CancelReply::parse(&v.to_string()).unwrap_err()),
            },
            "withdrawal_approval_above" => match v {
                Value::Null => self.withdrawal_approval_above = None,
                Value::String(t) => self.withdrawal_approval_above = Some(parse_limit(t)?),
                _ => {
                    return Err(
                        "withdrawal_approval_above takes a decimal string or null".to_string()
                    )
                }
            },
            "deposit_confirmations" => match v {
                Value::String(n) => self.deposit_confirmations = DepositConfirmations::parse(n)?,
                _ => return Err(DepositConfirmations::parse(&v.to_string()).unwrap_err()),
            },
            "payment_request_late_status" => match v {
                Value::String(n) => self.payment_request_late_status = LateStatus::parse(n)?,
                _ => return Err(LateStatus::parse(&v.to_string()).unwrap_err()),
            },
            other => {
                return Err(format!(
                    "unknown switch {other:?}; known: {}",
                    SWITCH_NAMES.join(", ")
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_behaviour() {
        assert_eq!(
            Switches::default().to_json(),
            json!({"refuse_duplicate_foreign_id": false, "cancel_reply": "invoice",
                   "withdrawal_approval_above": null, "deposit_confirmations": "two_step",
                   "payment_request_late_status": "late_payment"})
        );
    }

    #[test]
    fn update_sets_what_is_named_and_nothing_on_error() {
        let s = Switches::default()
            .update(
                &json!({"refuse_duplicate_foreign_id": true, "cancel_reply": "ok_text",
                        "withdrawal_approval_above": "0.5", "deposit_confirmations": "instant",
                        "payment_request_late_status": "unchanged"}),
            )
            .unwrap();
        assert!(s.refuse_duplicate_foreign_id);
        assert_eq!(s.cancel_reply, CancelReply::OkText);
        assert_eq!(s.deposit_confirmations, DepositConfirmations::Instant);
        assert_eq!(s.payment_request_late_status, LateStatus::Unchanged);
        assert_eq!(s.to_json()["withdrawal_approval_above"], "0.50000000");
        let back = s
            .update(&json!({"withdrawal_approval_above": null}))
            .unwrap();
        assert_eq!(back.withdrawal_approval_above, None);
        assert!(s.update(&json!({"withdrawal_approval_above": "0"})).is_ok());
        let e = s
            .update(&json!({"refuse_duplicate_foreign_id": false, "nope": 1}))
            .unwrap_err();
        assert!(s.refuse_duplicate_foreign_id, "nothing changed");
        assert!(
            e.contains(
                "unknown switch \"nope\"; known: refuse_duplicate_foreign_id, cancel_reply, \
                 withdrawal_approval_above, deposit_confirmations, payment_request_late_status"
            ),
            "{e}"
        );
        for bad in [
            json!({"refuse_duplicate_foreign_id": "yes"}),
            json!({"cancel_reply": "nothing"}),
            json!({"cancel_reply": 1}),
            json!({"deposit_confirmations": "three_step"}),
            json!({"withdrawal_approval_above": "-1"}),
            json!({"withdrawal_approval_above": 1}),
            json!({"withdrawal_approval_above": "0.000000001"}),
            json!({"withdrawal_approval_above": "abc"}),
            json!({"deposit_confirmations": true}),
            json!({"payment_request_late_status": "refunded"}),
            json!({"payment_request_late_status": null}),
            json!([]),
        ] {
            assert!(s.update(&bad).is_err(), "{bad}");
        }
        for (name, r) in CANCEL_REPLIES {
            assert_eq!(CancelReply::parse(name), Ok(r));
            assert_eq!(r.name(), name);
        }
    }
}
