//! The documented field rules, shared by every operation.

use super::body::Body;
use crate::error::FieldError;

/// Collects field errors for one request.
#[derive(Default)]
pub(crate) struct Rules {
    pub(crate) errors: Vec<FieldError>,
}

impl Rules {
    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A required field is present.
    pub(crate) fn required<T>(&mut self, field: &str, value: &Option<T>) {
        if value.is_none() {
            self.fail(field, "is required");
        }
    }

    /// Length in characters within `min..=max`.
    pub(crate) fn length(&mut self, field: &str, value: Option<&str>, min: usize, max: usize) {
        if let Some(v) = value {
            let n = v.chars().count();
            if n < min || n > max {
                if min == 0 {
                    self.fail(field, format!("must be at most {max} characters (got {n})"));
                } else {
                    self.fail(
                        field,
                        format!("must be {min} to {max} characters (got {n})"),
                    );
                }
            }
        }
    }

    /// A currency code: 2–20 characters of `A-Z`, `0-9`, `-` and `_` (`BTC`, `USDTT`, `BNB-BSC`).
    pub(crate) fn currency(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value {
            let ok = (2..=20).contains(&v.len())
                && v.bytes().all(|b| {
                    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !ok {
                self.fail(
                    field,
                    "must be an upper-case currency code such as \"BTC\" or \"USDTT\"",
                );
            }
        }
    }

    /// A foreign_id: 1–255 characters.
    pub(crate) fn foreign_id(&mut self, value: Option<&str>) {
        self.length("foreign_id", value, 1, 255);
    }

    /// An end_user_reference: 1–255 characters.
    pub(crate) fn end_user_reference(&mut self, value: Option<&str>) {
        self.length("end_user_reference", value, 1, 255);
    }

    /// A redirect URL: `https://` with a domain name (not an IP address, not localhost).
    pub(crate) fn https_domain_url(&mut self, field: &str, value: Option<&str>) {
        let Some(url) = value else { return };
        // The scheme is case-insensitive (`HTTPS://` is https).
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            _ => {
                self.fail(field, "must be an https:// URL");
                return;
            }
        };
        let host = crate::environment::host_of(rest);
        let is_ip = host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok();
        let is_domain = !host.is_empty()
            && host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && host.bytes().any(|b| b.is_ascii_alphabetic());
        if has_whitespace(url) {
            self.fail(field, "must not contain spaces");
        } else if is_ip {
            self.fail(field, "must use a domain name, not an IP address");
        } else if !is_domain {
            self.fail(field, "must use a domain name such as shop.example.com");
        }
    }

    /// An e-mail address: `local@domain.tld`, no spaces.
    pub(crate) fn email(&mut self, field: &str, value: Option<&str>) {
        let Some(v) = value else { return };
        let ok = match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !has_whitespace(v)
                    && v.len() <= 254
            }
            None => false,
        };
        if !ok {
            self.fail(field, "must be an e-mail address");
        }
    }

    /// One of a fixed set of values.
    pub(crate) fn one_of(&mut self, field: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(v) = value {
            if !allowed.contains(&v) {
                self.fail(field, format!("must be one of: {}", allowed.join(", ")));
            }
        }
    }

    /// MiCA party data (spec §5.0): `sender_type`/`receiver_type` and its `_data` object.
    pub(crate) fn party(&mut self, prefix: &str, party: &Party, allow_self: bool) {
        if party.kind.is_none() && party.data.is_none() {
            return; // no party: nothing to check (and no field name to write)
        }
        let type_field = format!("{prefix}_type");
        let data_field = format!("{prefix}_data");
        let allowed: &[&str] = if allow_self {
            &["natural", "legal", "self"]
        } else {
            &["natural", "legal"]
        };
        self.one_of(&type_field, party.kind.as_deref(), allowed);
        let Some(data) = &party.data else { return };
        let (required, optional): (&[&str], &[&str]) = match party.kind.as_deref() {
            Some("natural") => (&["first_name", "last_name", "date_of_birth"], &["email"]),
            Some("legal") => (&["legal_name", "country_of_registration"], &["email"]),
            Some("self") => (&[], &[]),
            Some(_) => return,
            None => {
                self.fail(&data_field, format!("requires {type_field}"));
                return;
            }
        };
        for key in required {
            match data.iter().find(|(k, _)| k == key) {
                None => self.fail(&format!("{data_field}.{key}"), "is required"),
                Some((_, v)) if v.trim().is_empty() => {
                    self.fail(&format!("{data_field}.{key}"), "must not be empty")
                }
                _ => {}
            }
        }
        for (key, value) in data {
            let field = format!("{data_field}.{key}");
            if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                let kind = party.kind.as_deref().unwrap_or("");
                self.fail(&field, format!("is not a field of a {kind} party"));
                continue;
            }
            match key.as_str() {
                "date_of_birth" if !is_iso_date(value) => {
                    self.fail(&field, "must be a date YYYY-MM-DD")
                }
                // Alpha-3 is inferred from one example (DEU): any well-formed 2-3 letter
                // upper-case code is accepted; the service decides.
                "country_of_registration"
                    if !((2..=3).contains(&value.len())
                        && value.bytes().all(|b| b.is_ascii_uppercase())) =>
                {
                    self.fail(
                        &field,
                        "must be an ISO 3166 code of 2 or 3 upper-case letters such as DEU",
                    )
                }
                "email" => self.email(&field, Some(value)),
                _ => self.length(&field, Some(value), 0, 255),
            }
        }
    }
}

/// A MiCA party: its type (`natural`, `legal`, or `self` for receivers) and its data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    /// `natural`, `legal` (or `self` for a withdrawal receiver).
    pub kind: Option<String>,
    /// The data keys in the order given: natural `first_name`, `last_name`,
    /// `date_of_birth`, `email`; legal `legal_name`, `country_of_registration`, `email`.
    pub data: Option<Vec<(String, String)>>,
}

impl Party {
    /// Writes `<prefix>_type` and `<prefix>_data` into a body.
    pub(crate) fn write(&self, prefix: &str, body: &mut Body) {
        if let Some(kind) = &self.kind {
            body.value(&format!("{prefix}_type"), kind);
        }
        if let Some(data) = &self.data {
            body.pairs(&format!("{prefix}_data"), data);
        }
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// Whether `s` holds a whitespace character (`char::is_whitespace`), ASCII text checked
/// byte by byte.
fn has_whitespace(s: &str) -> bool {
    if s.is_ascii() {
        // The ASCII characters `char::is_whitespace` accepts (vertical tab included).
        s.bytes()
            .any(|b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
    } else {
        s.contains(char::is_whitespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_what_char_says() {
        for c in (0u8..=127)
            .map(char::from)
            .chain(['\u{85}', '\u{a0}', '\u{2028}', 'é'])
        {
            let text = format!("a{c}b");
            assert_eq!(has_whitespace(&text), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn urls() {
        let mut r = Rules::default();
        r.https_domain_url("a", Some("https://shop.example.com/ok?x=1"));
        r.https_domain_url("b", Some("HTTPS://shop.example.com/"));
        r.https_domain_url("c", Some("Https://shop.example.com/"));
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        for bad in [
            "http://shop.example.com",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://localhost/",
            "https://",
            "shop.example.com",
            "https://exa mple.com",
        ] {
            let mut r = Rules::default();
            r.https_domain_url("u", Some(bad));
            assert_eq!(r.errors.len(), 1, "{bad} accepted");
        }
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("1995-08-17"));
        assert!(is_iso_date("2000-02-29"));
        assert!(!is_iso_date("1900-02-29"));
        assert!(!is_iso_date("1995-13-01"));
        assert!(!is_iso_date("17.08.1995"));
    }

    #[test]
    fn parties() {
        let natural = Party {
            kind: Some("natural".into()),
            data: Some(vec![
                ("first_name".into(), "Ada".into()),
                ("last_name".into(), "L".into()),
                ("date_of_birth".into(), "1995-08-17".into()),
            ]),
        };
        let mut r = Rules::default();
        r.party("sender", &natural, false);
        assert!(r.errors.is_empty(), "{:?}", r.errors);

        for (code, ok) in [
            ("DEU", true),
            ("DE", true),
            ("GBR", true),
            ("D", false),
            ("deu", false),
            ("DEUT", false),
        ] {
            let legal = Party {
                kind: Some("legal".into()),
                data: Some(vec![
                    ("legal_name".into(), "Acme GmbH".into()),
                    ("country_of_registration".into(), code.into()),
                ]),
            };
            let mut r = Rules::default();
            r.party("sender", &legal, false);
            assert_eq!(r.errors.is_empty(), ok, "{code}: {:?}", r.errors);
        }

        let wrong = Party {
            kind: Some("legal".into()),
            data: Some(vec![("first_name".into(), "Ada".into())]),
        };
        let mut r = Rules::default();
        r.party("sender", &wrong, false);
        let fields: Vec<_> = r.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "sender_data.legal_name",
                "sender_data.country_of_registration",
                "sender_data.first_name"
            ]
        );
        let mut r = Rules::default();
        r.party(
            "receiver",
            &Party {
                kind: Some("self".into()),
                data: None,
            },
            true,
        );
        assert!(r.errors.is_empty());
        let mut r = Rules::default();
        r.party(
            "sender",
            &Party {
                kind: Some("self".into()),
                data: None,
            },
            false,
        );
        assert_eq!(r.errors.len(), 1);
    }
}
