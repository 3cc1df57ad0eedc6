//! A reply whose data is one object of scalars (`{"data": {"id": 1, "url": "…", …}}`: an
//! invoice, an address, a withdrawal, an exchange) read without building its tree: the
//! fields in order, each normalized as it is read, as
//! [`normalize`](super::normalize::normalize) does it, no map built or hashed. What the C
//! ABI keeps of a call, and writes every text from. Any other body is left to the full
//! decode (and to its errors).

use super::normalize::{normalize_field, shape_field, Fields, Kind, Shape, MAX_VALUES};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// More fields than this are left to the full decode (a repeated key is looked for among
/// the fields read so far: quadratic, so kept small).
const MAX_FIELDS: usize = 64;

/// The normalized fields of a reply's data object, in order: a known key as the shape
/// spells it (not copied), any other copied.
#[derive(Debug, PartialEq)]
pub(crate) struct FlatData(Vec<(Cow<'static, str>, Value)>);

/// Fields read flat, and the paths of the values kept verbatim (as
/// [`normalize`](super::normalize::normalize) names them).
type Read = (FlatData, Vec<String>);

impl FlatData {
    /// The data of `body`, normalized as a value of `kind`, and its malformed paths; `None`
    /// unless `kind` is an object's shape and `body` is exactly `{"data": {…}}` whose
    /// object holds at most [`MAX_FIELDS`] distinct keys with scalar or null values (the
    /// full decode reads the same data from such a body, and never fails on it).
    pub(crate) fn read(kind: &Kind, body: &[u8]) -> Option<Read> {
        let Kind::Object(shape) = kind else {
            return None;
        };
        if body.len() >= MAX_VALUES {
            return None;
        }
        let mut de = serde_json::Deserializer::from_slice(body);
        let read = de.deserialize_map(Envelope(shape)).ok()?;
        de.end().ok()?;
        Some(read)
    }
}

/// The data object, as the full decode's normalized data is written: the fields in order.
impl serde::Serialize for FlatData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl Fields for FlatData {
    fn value(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// `{"data": {…}}`, nothing else: the data's fields (of this shape).
struct Envelope(&'static Shape);

impl<'de> Visitor<'de> for Envelope {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object holding only \"data\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        if map.next_key::<&str>()? != Some("data") {
            return Err(de::Error::custom("not only data"));
        }
        let read = map.next_value_seed(DataObject(self.0))?;
        match map.next_key::<&str>()? {
            None => Ok(read),
            Some(_) => Err(de::Error::custom("not only data")),
        }
    }
}

/// The data object: distinct keys without escapes, scalar or null values, each known one
/// normalized as it is read.
struct DataObject(&'static Shape);

impl<'de> DeserializeSeed<'de> for DataObject {
    type Value = Read;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataObject {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of scalars")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let mut fields: Vec<(Cow<'static, str>, Value)> = Vec::with_capacity(16);
        let mut malformed = Vec::new();
        let mut path = String::new();
        while let Some(key) = map.next_key::<&'de str>()? {
            let mut value: Value = map.next_value()?;
            if value.is_object()
                || value.is_array()
                || fields.len() == MAX_FIELDS
                || fields.iter().any(|(k, _)| k == key)
            {
                return Err(de::Error::custom("not a flat object"));
            }
            let key = match shape_field(self.0, key) {
                Some((name, kind)) => {
                    normalize_field(&mut value, kind, name, &mut path, &mut malformed);
                    Cow::Borrowed(*name)
                }
                None => Cow::Owned(key.to_string()),
            };
            fields.push((key, value));
        }
        Ok((FlatData(fields), malformed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::OperationKind;
    use crate::reply::{Decoded, Response};

    /// Every body: read flat, or left to the full decode; when read flat, the same
    /// malformed paths and the same typed fields as the full decode.
    fn check(kind: OperationKind, body: &str, flat_expected: bool) {
        let read = FlatData::read(kind.data_kind(), body.as_bytes());
        assert_eq!(read.is_some(), flat_expected, "{body}");
        let Some((flat, malformed)) = read else {
            return;
        };
        let full = Response::decode(kind, 200, body.as_bytes().to_vec()).expect("decodes");
        assert_eq!(malformed, full.malformed, "{body}");
        for (key, _) in &flat.0 {
            assert_eq!(flat.value(key), full.data.value(key), "{key} of {body}");
        }
        for key in ["id", "url", "amount", "title", "name", "missing"] {
            assert_eq!(flat.text(key), full.data.text(key), "{key} of {body}");
            assert_eq!(flat.int(key), full.data.int(key), "{key} of {body}");
        }
        // The summary (typed result included) as the C ABI writes it, from the flat data.
        let decoded = Decoded::decode(kind, 200, body.as_bytes().to_vec(), None).unwrap();
        assert!(matches!(decoded, Decoded::Flat(..)), "{body}");
        assert_eq!(
            decoded.summary_json_nul(),
            (full.summary_json() + "\0").into_bytes()
        );
        assert_eq!(decoded.envelope_json(), full.envelope_json(), "{body}");
        assert_eq!(
            decoded.typed_json(),
            full.kind.row().result.typed_json(&full)
        );
        let keys = flat.0.iter().map(|(k, _)| k.to_string());
        for path in keys.chain(["", "url", "a.b", "missing", "id.x"].map(str::to_string)) {
            let segments: Vec<&str> = path.split('.').collect();
            assert_eq!(
                decoded.resolve(&path, &segments),
                crate::reply::normalize::resolve(&full.data, &segments),
                "{path} of {body}"
            );
        }
    }

    #[test]
    fn flat_bodies_read_as_the_full_decode_reads_them() {
        let invoice = OperationKind::InvoicesCreate;
        check(
            invoice,
            r#"{"data":{"id":"12","url":"https://x","foreign_id":164,"amount":106.75,"title":null,"name":"n","extra":true}}"#,
            true,
        );
        check(
            invoice,
            r#" {"data":{"id":true,"amount":"0.106.75000000","sender_amount":"1e2","foreign_id":"a\"b","a.b":"dotted"}} "#,
            true,
        );
        check(invoice, r#"{"data":{}}"#, true);
        check(
            OperationKind::WithdrawalCrypto,
            r#"{"data":{"amount":"1.50","id":7}}"#,
            true,
        );
        check(
            OperationKind::ExchangeNow,
            r#"{"data":{"price":"0.1","ts_fixed":"3"}}"#,
            true,
        );
        check(
            OperationKind::AddressesTake,
            r#"{"data":{"tag":5,"id":"x"}}"#,
            true,
        );
    }

    #[test]
    fn anything_else_is_left_to_the_full_decode() {
        let invoice = OperationKind::InvoicesCreate;
        for body in [
            r#"{"data":{"id":1,"id":2}}"#,
            r#"{"data":{"a":{"b":1}}}"#,
            r#"{"data":{"a":[1]}}"#,
            r#"{"data":null}"#,
            r#"{"data":[]}"#,
            r#"{"data":{},"meta":1}"#,
            r#"{"meta":1,"data":{}}"#,
            r#"{"\u0064ata":{}}"#,
            r#"{"data":{}} x"#,
            r#"{"data":{"a":1}"#,
            "[]",
            "OK",
            "",
        ] {
            check(invoice, body, false);
        }
        // Not an object of scalars: a list, text.
        check(OperationKind::AccountsList, r#"{"data":{}}"#, false);
        check(OperationKind::Ping, r#"{"data":{}}"#, false);
        let many: Vec<String> = (0..=MAX_FIELDS).map(|i| format!("\"k{i}\":1")).collect();
        check(
            invoice,
            &format!("{{\"data\":{{{}}}}}", many.join(",")),
            false,
        );
    }
}
