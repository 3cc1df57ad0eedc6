//! Field rules with the service's Laravel-style messages: `{"errors": {field: message}}`.

use serde_json::{Map, Value};

use crate::catalog::{self, Currency};
use crate::decimal::{Dec, ParseError, MAX_WHOLE};

/// Field errors in the order found; one message per field (the first rule that failed).
#[derive(Default)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.0.push((field.to_string(), message.into()));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .0
            .iter()
            .map(|(f, m)| (f.clone(), Value::String(m.clone())))
            .collect();
        serde_json::json!({ "errors": map })
    }
}

/// Laravel's attribute name: `foreign_id` -> `foreign id`.
pub fn attr(field: &str) -> String {
    field.replace('_', " ")
}

/// A request body being validated. A body that is valid JSON but not an object counts as empty.
pub struct Fields<'a> {
    obj: Option<&'a Map<String, Value>>,
    prefix: String,
    pub errors: Errors,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Value) -> Fields<'a> {
        Fields {
            obj: body.as_object(),
            prefix: String::new(),
            errors: Errors::default(),
        }
    }

    /// Rules for a nested object (`sender_data.first_name`), reporting into `errors`.
    pub fn nested(body: &'a Value, prefix: &str, errors: Errors) -> Fields<'a> {
        Fields {
            obj: body.as_object(),
            prefix: format!("{prefix}."),
            errors,
        }
    }

    fn key(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.obj.and_then(|o| o.get(field)).filter(|v| !v.is_null())
    }

    /// Present in Laravel's sense of `required`: not missing, not null, not "".
    pub fn present(&self, field: &str) -> bool {
        match self.get(field) {
            None => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        let key = self.key(field);
        self.errors.add(&key, message);
    }

    fn required(&mut self, field: &str, required: bool) -> bool {
        if self.present(field) {
            return true;
        }
        if required {
            let a = attr(&self.key(field));
            self.fail(field, format!("The {a} field is required."));
        }
        false
    }

    /// A string of at most `max` characters.
    pub fn string(&mut self, field: &str, required: bool, max: usize) -> Option<String> {
        if !self.required(field, required) {
            return None;
        }
        let a = attr(&self.key(field));
        match self.get(field) {
            Some(Value::String(s)) if s.chars().count() > max => {
                self.fail(
                    field,
                    format!("The {a} must not be greater than {max} characters."),
                );
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            _ => {
                self.fail(field, format!("The {a} must be a string."));
                None
            }
        }
    }

    /// A reference that may be a string or a number (`foreign_id` is typed "any").
    pub fn reference(&mut self, field: &str, required: bool, max: usize) -> Option<String> {
        match self.get(field) {
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => self.string(field, required, max),
        }
    }

    /// An amount as a JSON number or a numeric string, kept exact.
    pub fn amount(&mut self, field: &str, required: bool) -> Option<Dec> {
        if !self.required(field, required) {
            return None;
        }
        let a = attr(&self.key(field));
        let text = match self.get(field) {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        match Dec::parse(&text) {
            Ok(d) if d.is_positive() => Some(d),
            Ok(_) => {
                self.fail(field, format!("The {a} must be greater than 0."));
                None
            }
            Err(ParseError::NotNumber) => {
                self.fail(field, format!("The {a} must be a number."));
                None
            }
            Err(ParseError::TooPrecise) => {
                self.fail(field, format!("The {a} must have 0-8 decimal places."));
                None
            }
            Err(ParseError::TooLarge) => {
                self.fail(
                    field,
                    format!("The {a} must not be greater than {MAX_WHOLE}."),
                );
                None
            }
        }
    }

    /// Laravel `boolean`: true, false, 1, 0, "1", "0".
    pub fn boolean(&mut self, field: &str, required: bool) -> Option<bool> {
        if !self.required(field, required) {
            return None;
        }
        let value = match self.get(field) {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Number(n)) => match n.to_string().as_str() {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            },
            Some(Value::String(s)) => match s.as_str() {
                "1" | "true" => Some(true),
                "0" | "false" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if value.is_none() {
            let a = attr(&self.key(field));
            self.fail(field, format!("The {a} field must be true or false."));
        }
        value
    }

    /// An integer (e.g. `id`, `price_precision`).
    pub fn integer(&mut self, field: &str, required: bool) -> Option<i64> {
        if !self.required(field, required) {
            return None;
        }
        let v = match self.get(field) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        if v.is_none() {
            let a = attr(&self.key(field));
            self.fail(field, format!("The {a} must be an integer."));
        }
        v
    }

    /// A known, enabled currency code.
    pub fn currency(&mut self, field: &str, required: bool) -> Option<&'static Currency> {
        let code = self.string(field, required, 16)?;
        let found = catalog::visible(&code);
        if found.is_none() {
            let a = attr(&self.key(field));
            self.fail(field, format!("The selected {a} is invalid."));
        }
        found
    }

    /// One of a fixed set of words.
    pub fn one_of(&mut self, field: &str, required: bool, allowed: &[&str]) -> Option<String> {
        let s = self.string(field, required, 64)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            let a = attr(&self.key(field));
            self.fail(field, format!("The selected {a} is invalid."));
            None
        }
    }

    /// An https URL whose host is a domain name, not an IP address.
    pub fn https_url(&mut self, field: &str, required: bool) -> Option<String> {
        let url = self.string(field, required, 2048)?;
        if is_https_domain_url(&url) {
            Some(url)
        } else {
            let a = attr(&self.key(field));
            self.fail(field, format!("The {a} format is invalid."));
            None
        }
    }

    pub fn email(&mut self, field: &str, required: bool) -> Option<String> {
        let e = self.string(field, required, 255)?;
        let ok = match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !e.contains(char::is_whitespace)
            }
            None => false,
        };
        if ok {
            Some(e)
        } else {
            let a = attr(&self.key(field));
            self.fail(field, format!("The {a} must be a valid email address."));
            None
        }
    }

    /// Exactly one of two amount fields: `prohibits` / `required_without` messages.
    pub fn one_amount(&mut self, first: &str, second: &str) -> Option<(bool, Dec)> {
        let (a, b) = (self.present(first), self.present(second));
        if a && b {
            let (fa, fb) = (attr(first), attr(second));
            self.fail(
                first,
                format!("The {fa} field prohibits {fb} from being present."),
            );
            return None;
        }
        if !a && !b {
            let (fa, fb) = (attr(first), attr(second));
            self.fail(
                first,
                format!("The {fa} field is required when {fb} is not present."),
            );
            return None;
        }
        if a {
            self.amount(first, true).map(|d| (true, d))
        } else {
            self.amount(second, true).map(|d| (false, d))
        }
    }
}

pub fn is_https_domain_url(url: &str) -> bool {
    let Some(rest) = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    if host_port.starts_with('[') {
        return false; // IPv6 literal
    }
    let host = host_port.split(':').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        // A dotted quad (or anything ending in a numeric label) is an IP, not a domain name.
        && !labels.last().unwrap().bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_https_domain_url("https://shop.example.com/ok?x=1"));
        assert!(is_https_domain_url("HTTPS://example.com"));
        assert!(!is_https_domain_url("http://example.com"));
        assert!(!is_https_domain_url("https://127.0.0.1/x"));
        assert!(!is_https_domain_url("https://[::1]/x"));
        assert!(!is_https_domain_url("https://localhost/x"));
        assert!(!is_https_domain_url("https:///x"));
    }
}
