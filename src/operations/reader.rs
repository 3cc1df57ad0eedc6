//! Reads a request's fields from a JSON object, collecting a field error for each value of
//! the wrong type and for each unknown field.

use crate::amount::Amount;
use crate::error::{Error, FieldError, Result};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// A typed view of a JSON request object.
pub(crate) struct Reader<'a> {
    map: &'a Map<String, Value>,
    used: RefCell<Vec<&'static str>>,
    errors: RefCell<Vec<FieldError>>,
}

impl<'a> Reader<'a> {
    /// A reader over `value`, which the caller checked is an object.
    pub(crate) fn new(value: &'a Value) -> Reader<'a> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        Reader {
            map: value
                .as_object()
                .unwrap_or_else(|| EMPTY.get_or_init(Map::new)),
            used: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
        }
    }

    fn get(&self, key: &'static str) -> Option<&'a Value> {
        self.used.borrow_mut().push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn fail(&self, key: &str, message: &str) {
        self.errors
            .borrow_mut()
            .push(FieldError::new(key, message.to_string()));
    }

    /// A string field.
    pub(crate) fn string(&self, key: &'static str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A string field that may also be given as an integer (references such as foreign_id).
    pub(crate) fn reference(&self, key: &'static str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A boolean field.
    pub(crate) fn boolean(&self, key: &'static str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.fail(key, "must be true or false");
                None
            }
        }
    }

    /// An integer field.
    pub(crate) fn integer(&self, key: &'static str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            _ => {
                self.fail(key, "must be an integer");
                None
            }
        }
    }

    /// An amount: a decimal string, or a JSON number whose digits are kept exactly.
    pub(crate) fn amount(&self, key: &'static str) -> Option<Amount> {
        let text = match self.get(key)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.fail(key, "must be a decimal string such as \"106.75\"");
                return None;
            }
        };
        match Amount::parse(&text) {
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
            Value::Object(m) => {
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
        self.get(key).cloned()
    }

    /// Reports unknown fields, then every type error: `Ok(())` when there was none.
    pub(crate) fn finish(self) -> Result<()> {
        let used = self.used.into_inner();
        let mut errors = self.errors.into_inner();
        for key in self.map.keys() {
            if !used.contains(&key.as_str()) {
                errors.push(FieldError::new(
                    key.clone(),
                    format!("unknown field (known fields: {})", used.join(", ")),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(errors))
        }
    }
}
