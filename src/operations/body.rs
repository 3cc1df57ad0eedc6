//! A request body written straight to JSON text, field by field in the order they are put:
//! no `Value` tree is built, cloned into and serialized again (serialize once).

use crate::amount::Amount;

/// A JSON object being written. Each field is put once (the typed requests own their
/// fields, so a key cannot repeat).
#[derive(Debug, Default)]
pub(crate) struct Body {
    out: Vec<u8>,
}

impl Body {
    /// An empty object.
    pub(crate) fn new() -> Body {
        Body {
            out: Vec::with_capacity(320),
        }
    }

    /// Opens the field `key`.
    fn key(&mut self, key: &str) {
        self.out.push(if self.out.is_empty() { b'{' } else { b',' });
        serde_json::to_writer(&mut self.out, key).expect("a string serializes");
        self.out.push(b':');
    }

    /// A string field, when there is one.
    pub(crate) fn text(&mut self, key: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.value(key, v);
        }
    }

    /// An amount, when there is one, as a JSON number carrying exactly its digits (a
    /// validated amount is a JSON number).
    pub(crate) fn amount(&mut self, key: &str, value: &Option<Amount>) {
        if let Some(a) = value {
            debug_assert!(
                a.is_valid(),
                "amounts are validated before the body is written"
            );
            self.key(key);
            self.out.extend_from_slice(a.as_str().as_bytes());
        }
    }

    /// Any field that serializes (booleans, integers, objects).
    pub(crate) fn value<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        serde_json::to_writer(&mut self.out, value).expect("a request field serializes");
    }

    /// A nested object, written by `inner`.
    pub(crate) fn object(&mut self, key: &str, inner: Body) {
        self.key(key);
        self.out.extend_from_slice(&inner.finish());
    }

    /// An object of string fields, in the order given.
    pub(crate) fn pairs(&mut self, key: &str, pairs: &[(String, String)]) {
        struct Pairs<'a>(&'a [(String, String)]);
        impl serde::Serialize for Pairs<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        self.value(key, &Pairs(pairs));
    }

    /// The JSON text.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.out.is_empty() {
            self.out.push(b'{');
        }
        self.out.push(b'}');
        self.out
    }
}

impl From<Body> for Vec<u8> {
    fn from(body: Body) -> Vec<u8> {
        body.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_written_in_order_and_escaped() {
        let mut b = Body::new();
        b.value("timer", &false);
        b.text("title", &Some("a \"quoted\" \\ title".into()));
        b.text("absent", &None);
        b.amount("amount", &Some(Amount::parse("0.10").unwrap()));
        b.value("id", &7);
        b.pairs(
            "data",
            &[("z".into(), "1".into()), ("a".into(), "2".into())],
        );
        let mut inner = Body::new();
        inner.text("iso", &Some("EUR".into()));
        b.object("currency", inner);
        b.object("empty", Body::new());
        let text = String::from_utf8(b.finish()).unwrap();
        assert_eq!(
            text,
            r#"{"timer":false,"title":"a \"quoted\" \\ title","amount":0.10,"id":7,"data":{"z":"1","a":"2"},"currency":{"iso":"EUR"},"empty":{}}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["amount"].to_string(), "0.10");
        assert_eq!(String::from_utf8(Body::new().finish()).unwrap(), "{}");
    }
}
