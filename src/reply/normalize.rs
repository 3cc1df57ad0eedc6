//! Tolerant decoding of API replies and callbacks.
//!
//! The documentation shows the same field as a string in one example and a number in the
//! next (amounts, ids, `confirmations`, `tag`, `end_user_reference`), and even malformed
//! values. A [`Shape`] names the known fields of an object and their [`Kind`]; normalizing a
//! reply walks the raw JSON with it, writes each known field in one canonical form (amounts
//! and references as strings, counters as integers), keeps unknown fields untouched, and
//! records the path of every value that could not be understood instead of failing.

use crate::amount::Amount;
use serde_json::Value;

/// How a known field is normalized.
#[derive(Debug)]
pub enum Kind {
    /// A decimal amount: string or number in, decimal string out (malformed text kept, flagged).
    Amount,
    /// An integer (ids, counters, timestamps): number or digit string in, number out.
    Int,
    /// A reference (foreign_id, end_user_reference, tag, txid): string or number in, string out.
    Ref,
    /// Free text (status, type, currency, url): string in; a number or bool becomes its text.
    Text,
    /// A boolean: bool, 0/1 or "true"/"false" in, bool out.
    Bool,
    /// A nested object.
    Object(&'static Shape),
    /// An array of values of one kind.
    Array(&'static Kind),
    /// Anything, kept as it is.
    Any,
}

/// The known fields of an object.
pub type Shape = [(&'static str, Kind)];

/// A normalized value: the canonical JSON and the paths of values that were not understood.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    /// The canonical JSON.
    pub value: Value,
    /// Dotted paths (`amount`, `transactions.0.amount`) of malformed values, kept verbatim.
    pub malformed: Vec<String>,
}

/// Normalizes `value` as a value of `kind`, consuming it (no second copy of a reply).
pub fn normalize(mut value: Value, kind: &Kind) -> Normalized {
    let mut malformed = Vec::new();
    walk(&mut value, kind, &mut String::new(), &mut malformed);
    Normalized { value, malformed }
}

/// Most values (scalars, arrays and objects) a reply or callback may hold. Real replies hold
/// a few thousand (the longest, currencies/pairs, tens of thousands); past this a document
/// is refused before it is parsed, so that a hostile reply cannot make the decoded tree
/// (tens of bytes per value) many times larger than its text.
pub const MAX_VALUES: usize = 200_000;

/// An upper bound of the number of values in a JSON text, counted without parsing it:
/// separators and openings outside strings. Linear, no allocation.
pub fn value_count(json: &[u8]) -> usize {
    let mut count = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => count += 1,
                _ => {}
            }
        }
    }
    count
}

/// Normalizes `value` in place (no map is rebuilt, no key hashed again); `path` is the
/// dotted path of `value`, one buffer grown and cut back as the walk goes, copied only
/// for a malformed value.
fn walk(value: &mut Value, kind: &Kind, path: &mut String, malformed: &mut Vec<String>) {
    let canonical = match (kind, &*value) {
        (_, Value::Null) | (Kind::Any, _) => return,
        (Kind::Amount, Value::String(s)) => amount_text(s),
        (Kind::Amount, Value::Number(n)) => amount_text(&n.to_string()),
        (Kind::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => return,
        (Kind::Int, Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        (Kind::Ref | Kind::Text, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => return,
        (Kind::Ref | Kind::Text, Value::Number(n)) => Some(Value::String(n.to_string())),
        (Kind::Text, Value::Bool(b)) => Some(Value::String(b.to_string())),
        (Kind::Bool, Value::Number(n)) => match n.to_string().as_str() {
            "0" => Some(Value::Bool(false)),
            "1" => Some(Value::Bool(true)),
            _ => None,
        },
        (Kind::Bool, Value::String(s)) if s == "true" || s == "false" => {
            Some(Value::Bool(s == "true"))
        }
        (Kind::Object(shape), Value::Object(_)) => {
            let Value::Object(map) = value else { return };
            for (key, v) in map.iter_mut() {
                if let Some((_, k)) = shape_field(shape, key) {
                    descend(v, k, path, key, malformed);
                }
            }
            return;
        }
        (Kind::Array(item), Value::Array(_)) => {
            let Value::Array(items) = value else { return };
            for (i, v) in items.iter_mut().enumerate() {
                descend(v, item, path, &i.to_string(), malformed);
            }
            return;
        }
        _ => None,
    };
    match canonical {
        Some(v) => *value = v,
        None => malformed.push(path.clone()),
    }
}

/// The entry of the field `key` in `shape` (its name as the shape spells it, and its
/// kind); `None` for an unknown field (kept as it is).
pub(crate) fn shape_field<'a>(shape: &'a Shape, key: &str) -> Option<&'a (&'static str, Kind)> {
    shape.iter().find(|(name, _)| *name == key)
}

/// Normalizes `value`, the top-level field `key` of an object of `kind`'s shape, as
/// [`normalize`] does when it walks that object. `path` is scratch space (left empty),
/// so that one buffer serves all the fields of an object.
pub(crate) fn normalize_field(
    value: &mut Value,
    kind: &Kind,
    key: &str,
    path: &mut String,
    malformed: &mut Vec<String>,
) {
    path.clear();
    descend(value, kind, path, key, malformed);
}

/// Walks `value`, the field `key` below `path`.
fn descend(
    value: &mut Value,
    kind: &Kind,
    path: &mut String,
    key: &str,
    malformed: &mut Vec<String>,
) {
    let len = path.len();
    if len > 0 {
        path.push('.');
    }
    path.push_str(key);
    walk(value, kind, path, malformed);
    path.truncate(len);
}

/// A valid amount in its canonical text; `None` for a malformed one.
fn amount_text(text: &str) -> Option<Value> {
    // `Amount::decoded`'s rule, its text taken as it is made.
    crate::amount::normalize_decimal(text).map(Value::String)
}

/// The value at `segments`. An object key may itself contain dots: each step tries the
/// nested reading first (`a` then `b`), then the key `a.b`, backtracking if one fails.
pub(crate) fn resolve<'a>(value: &'a Value, segments: &[&str]) -> Option<&'a Value> {
    if segments.is_empty() {
        return Some(value);
    }
    match value {
        Value::Object(map) => (1..=segments.len()).find_map(|n| {
            let key = segments[..n].join(".");
            map.get(&key).and_then(|v| resolve(v, &segments[n..]))
        }),
        Value::Array(items) => {
            let index: usize = segments[0].parse().ok()?;
            resolve(items.get(index)?, &segments[1..])
        }
        _ => None,
    }
}

/// A scalar as text: strings as they are, numbers as written, booleans `true`/`false`;
/// `None` for null, objects and arrays.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Typed reads from a normalized object. Absent, null and malformed values read as `None`.
pub trait Fields {
    /// The field `key`, as it is (`None` when absent).
    fn value(&self, key: &str) -> Option<&Value>;
    /// A string field.
    fn text(&self, key: &str) -> Option<String> {
        self.value(key).and_then(Value::as_str).map(str::to_string)
    }
    /// An integer field.
    fn int(&self, key: &str) -> Option<i64> {
        self.value(key).and_then(Value::as_i64)
    }
    /// An amount field (a malformed one is returned, flagged by `is_valid`).
    fn amount(&self, key: &str) -> Option<Amount> {
        self.value(key).and_then(Value::as_str).map(Amount::decoded)
    }
    /// A boolean field.
    fn flag(&self, key: &str) -> Option<bool> {
        self.value(key).and_then(Value::as_bool)
    }
}

/// Objects of at most this many fields are searched key by key rather than hashed: a
/// reply's objects are small, and comparing a few short keys costs less than hashing one.
const SCAN_FIELDS: usize = 24;

impl Fields for Value {
    /// The field `key` of an object (`None` for anything else), as `Value::get`.
    fn value(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) if map.len() <= SCAN_FIELDS => {
                map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
            }
            _ => self.get(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ITEM: &Shape = &[("amount", Kind::Amount), ("confirmations", Kind::Int)];
    static SHAPE: &Shape = &[
        ("id", Kind::Int),
        ("amount", Kind::Amount),
        ("foreign_id", Kind::Ref),
        ("end_user_reference", Kind::Ref),
        ("transactions", Kind::Array(&Kind::Object(ITEM))),
    ];

    #[test]
    fn coerces_known_fields_and_keeps_unknown_ones() {
        let raw: Value = serde_json::from_str(
            r#"{"id":"127","amount":106.75,"foreign_id":164,"end_user_reference":12345,
                "extra":{"a":1},"transactions":[{"amount":"0.1","confirmations":"3"},
                {"amount":1e-5,"confirmations":2}]}"#,
        )
        .unwrap();
        let n = normalize(raw.clone(), &Kind::Object(SHAPE));
        assert!(n.malformed.is_empty(), "{:?}", n.malformed);
        let v = &n.value;
        assert_eq!(v.int("id"), Some(127));
        assert_eq!(v.text("amount").as_deref(), Some("106.75"));
        assert_eq!(v.text("foreign_id").as_deref(), Some("164"));
        assert_eq!(v.text("end_user_reference").as_deref(), Some("12345"));
        assert_eq!(v["extra"]["a"], 1);
        assert_eq!(v["transactions"][0].int("confirmations"), Some(3));
        assert_eq!(
            v["transactions"][1].text("amount").as_deref(),
            Some("0.00001")
        );
    }

    #[test]
    fn malformed_values_are_kept_and_flagged() {
        let raw: Value =
            serde_json::from_str(r#"{"id":true,"amount":"0.106.75000000","foreign_id":null}"#)
                .unwrap();
        let n = normalize(raw.clone(), &Kind::Object(SHAPE));
        assert_eq!(n.malformed, vec!["id".to_string(), "amount".to_string()]);
        assert_eq!(n.value["amount"], "0.106.75000000");
        assert!(!n.value.amount("amount").unwrap().is_valid());
        assert!(n.value["foreign_id"].is_null());
    }
}
