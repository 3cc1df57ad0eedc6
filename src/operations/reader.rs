//! Reads a request's fields from a JSON object, collecting a field error for each value of
//! the wrong type and for each unknown field.
//!
//! The fields come either from a parsed object ([`JsonFields`] from a `&Value`) or straight
//! from JSON text ([`JsonFields::parse`]): its top-level fields in order, strings borrowed
//! from the text, no map built nor hashed (the common case of the C ABI and the bindings).

use crate::amount::Amount;
use crate::error::{Error, FieldError, Result};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cell::RefCell;

/// The fields of a request: a JSON object already parsed, or the top-level fields of a
/// JSON text read without building an object (see [`JsonFields::parse`]). What every
/// request's `from_json` reads; `&Value` converts into it.
#[derive(Clone, Copy, Debug)]
pub struct JsonFields<'a>(Source<'a>);

#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    Map(&'a Map<String, Value>),
    Flat(&'a [(Cow<'a, str>, Item<'a>)]),
}

/// A top-level value read from text: a string borrowed when it has no escape, anything
/// else as the `Value` serde_json makes of it.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    Text(Cow<'a, str>),
    Json(Value),
}

/// A field's value as the reader sees it (null is absent).
enum Got<'a> {
    Text(&'a str),
    Json(&'a Value),
}

impl<'a> From<&'a Value> for JsonFields<'a> {
    fn from(value: &'a Value) -> JsonFields<'a> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        JsonFields(Source::Map(
            value
                .as_object()
                .unwrap_or_else(|| EMPTY.get_or_init(Map::new)),
        ))
    }
}

/// Objects with more top-level fields than this are left to the `Value` path (a repeated
/// key is looked for among the fields read so far: quadratic, so kept small).
const MAX_FLAT_FIELDS: usize = 64;

/// The top-level fields of a JSON object, read from text in order; a repeated key keeps
/// its first place and its last value, as `serde_json::Map` does.
pub(crate) struct FlatFields<'a>(pub(crate) Vec<(Cow<'a, str>, Item<'a>)>);

impl<'a> JsonFields<'a> {
    /// The fields of `flat`.
    pub(crate) fn flat(flat: &'a FlatFields<'a>) -> JsonFields<'a> {
        JsonFields(Source::Flat(&flat.0))
    }

    /// The top-level fields of the JSON object `json`, strings borrowed from it. `None`
    /// for anything else (not JSON, not an object, more than [`MAX_FLAT_FIELDS`] fields):
    /// the caller then parses a `Value`, which says what is wrong.
    pub(crate) fn parse(json: &'a str) -> Option<FlatFields<'a>> {
        let mut de = serde_json::Deserializer::from_str(json);
        let fields = (&mut de).deserialize_map(FieldsVisitor).ok()?;
        de.end().ok()?; // nothing but whitespace after the object
        Some(fields)
    }
}

/// Reads an object's fields into [`FlatFields`].
struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = FlatFields<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(
        self,
        mut map: M,
    ) -> std::result::Result<Self::Value, M::Error> {
        let mut fields: Vec<(Cow<'de, str>, Item<'de>)> = Vec::with_capacity(8);
        // Keys are read as items too: text, borrowed when it has no escape.
        while let Some(key) = map.next_key::<Item<'de>>()? {
            let Item::Text(key) = key else {
                return Err(de::Error::custom("a key that is not text"));
            };
            let value: Item<'de> = map.next_value()?;
            if let Some(slot) = fields.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
            } else if fields.len() < MAX_FLAT_FIELDS {
                fields.push((key, value));
            } else {
                return Err(de::Error::custom("too many fields"));
            }
        }
        Ok(FlatFields(fields))
    }
}

impl<'de> Deserialize<'de> for Item<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = Item<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Text(Cow::Owned(s)))
            }
            fn visit_bool<E>(self, b: bool) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Json(Value::Bool(b)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Json(Value::Null))
            }
            // As serde_json's own visitor (integers come this way; other numbers below).
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Json(Value::Number(n.into())))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Json(Value::Number(n.into())))
            }
            fn visit_f64<E>(self, n: f64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Json(
                    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
                ))
            }
            // Numbers (arbitrary precision: a one-entry map), objects and arrays: the
            // `Value` serde_json's own visitor makes of them.
            fn visit_map<M: MapAccess<'de>>(
                self,
                map: M,
            ) -> std::result::Result<Item<'de>, M::Error> {
                Value::deserialize(MapAccessDeserializer::new(map)).map(Item::Json)
            }
            fn visit_seq<S: SeqAccess<'de>>(
                self,
                seq: S,
            ) -> std::result::Result<Item<'de>, S::Error> {
                Value::deserialize(SeqAccessDeserializer::new(seq)).map(Item::Json)
            }
        }
        d.deserialize_any(ItemVisitor)
    }
}

/// A typed view of a JSON request object.
pub(crate) struct Reader<'a> {
    fields: Source<'a>,
    used: RefCell<Vec<&'static str>>,
    errors: RefCell<Vec<FieldError>>,
}

impl<'a> Reader<'a> {
    /// A reader over `fields` (an empty object when the `Value` was not an object).
    pub(crate) fn new(fields: JsonFields<'a>) -> Reader<'a> {
        Reader {
            fields: fields.0,
            used: RefCell::new(Vec::with_capacity(16)),
            errors: RefCell::new(Vec::new()),
        }
    }

    fn get(&self, key: &'static str) -> Option<Got<'a>> {
        self.used.borrow_mut().push(key);
        match self.fields {
            Source::Map(map) => match map.get(key)? {
                Value::Null => None,
                Value::String(s) => Some(Got::Text(s)),
                v => Some(Got::Json(v)),
            },
            Source::Flat(fields) => match &fields.iter().find(|(k, _)| k == key)?.1 {
                Item::Json(Value::Null) => None,
                Item::Text(s) => Some(Got::Text(s)),
                Item::Json(v) => Some(Got::Json(v)),
            },
        }
    }

    fn fail(&self, key: &str, message: &str) {
        self.errors
            .borrow_mut()
            .push(FieldError::new(key, message.to_string()));
    }

    /// A string field.
    pub(crate) fn string(&self, key: &'static str) -> Option<String> {
        match self.get(key)? {
            Got::Text(s) => Some(s.to_string()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A string field that may also be given as an integer (references such as foreign_id).
    pub(crate) fn reference(&self, key: &'static str) -> Option<String> {
        match self.get(key)? {
            Got::Text(s) => Some(s.to_string()),
            Got::Json(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A boolean field.
    pub(crate) fn boolean(&self, key: &'static str) -> Option<bool> {
        match self.get(key)? {
            Got::Json(Value::Bool(b)) => Some(*b),
            _ => {
                self.fail(key, "must be true or false");
                None
            }
        }
    }

    /// An integer field.
    pub(crate) fn integer(&self, key: &'static str) -> Option<i64> {
        match self.get(key)? {
            Got::Json(Value::Number(n)) if n.is_i64() => n.as_i64(),
            _ => {
                self.fail(key, "must be an integer");
                None
            }
        }
    }

    /// An amount: a decimal string, or a JSON number whose digits are kept exactly.
    pub(crate) fn amount(&self, key: &'static str) -> Option<Amount> {
        let number;
        let text = match self.get(key)? {
            Got::Text(s) => s,
            Got::Json(Value::Number(n)) => {
                number = n.to_string();
                &number
            }
            _ => {
                self.fail(key, "must be a decimal string such as \"106.75\"");
                return None;
            }
        };
        match Amount::parse(text) {
            Ok(a) => Some(a),
            Err(e) => {
                self.fail(key, &e.to_string());
                None
            }
        }
    }

    /// An object of string values (sender_data, receiver_data).
    pub(crate) fn string_map(&self, key: &'static str) -> Option<Vec<(String, String)>> {
        match self.get(key)? {
            Got::Json(Value::Object(m)) => {
                let mut out = Vec::with_capacity(m.len());
                for (k, v) in m {
                    match v {
                        Value::String(s) => out.push((k.clone(), s.clone())),
                        _ => self.fail(&format!("{key}.{k}"), "must be a string"),
                    }
                }
                Some(out)
            }
            _ => {
                self.fail(key, "must be an object");
                None
            }
        }
    }

    /// Any JSON value (generic bodies).
    pub(crate) fn any(&self, key: &'static str) -> Option<Value> {
        match self.get(key)? {
            Got::Text(s) => Some(Value::String(s.to_string())),
            Got::Json(v) => Some(v.clone()),
        }
    }

    /// Reports unknown fields, then every type error: `Ok(())` when there was none.
    pub(crate) fn finish(self) -> Result<()> {
        let used = self.used.into_inner();
        let mut errors = self.errors.into_inner();
        let mut unknown = |key: &str| {
            if !used.contains(&key) {
                errors.push(FieldError::new(
                    key,
                    format!("unknown field (known fields: {})", used.join(", ")),
                ));
            }
        };
        match self.fields {
            Source::Map(map) => map.keys().for_each(|k| unknown(k)),
            Source::Flat(fields) => fields.iter().for_each(|(k, _)| unknown(k)),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(errors))
        }
    }
}
