//! Behaviour the documentation does not state, chosen per run: set on the command line, read
//! and changed through `GET/POST /_sandbox/switches`, back to the command line's values on
//! `POST /_sandbox/reset`.

use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Switches {
    /// Refuse a repeated `foreign_id` on withdrawal/crypto and exchange/fixed|now (400
    /// "The foreign id has already been taken."). invoices/create always refuses (documented).
    pub refuse_duplicate_foreign_id: bool,
}

pub const SWITCH_NAMES: [&str; 1] = ["refuse_duplicate_foreign_id"];

impl Switches {
    pub fn to_json(self) -> Value {
        json!({
            "refuse_duplicate_foreign_id": self.refuse_duplicate_foreign_id,
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
            json!({"refuse_duplicate_foreign_id": false})
        );
    }

    #[test]
    fn update_sets_what_is_named_and_nothing_on_error() {
        let s = Switches::default()
            .update(&json!({"refuse_duplicate_foreign_id": true}))
            .unwrap();
        assert!(s.refuse_duplicate_foreign_id);
        let e = s
            .update(&json!({"refuse_duplicate_foreign_id": false, "nope": 1}))
            .unwrap_err();
        assert!(
            e.contains("unknown switch \"nope\"; known: refuse_duplicate_foreign_id"),
            "{e}"
        );
        for bad in [json!({"refuse_duplicate_foreign_id": "yes"}), json!([])] {
            assert!(s.update(&bad).is_err(), "{bad}");
        }
    }
}
