//! Exact decimal amounts. Money is never a float in this library.
//!
//! An [`Amount`] holds decimal digits as text. Amounts the caller gives are validated
//! strictly ([`Amount::parse`]): plain digits with an optional fraction, no sign, no
//! exponent; they go on the wire as JSON numbers with exactly those digits (`"0.1"` is sent
//! as `0.1`, `"106.750"` as `106.750`). Amounts decoded from the API are taken tolerantly
//! ([`Amount::decoded`]): a JSON string or number, an exponent written out exactly, and text
//! that is not a decimal at all (the documentation's own `"0.106.75000000"`) kept verbatim
//! and flagged by [`Amount::is_valid`] instead of failing the whole response.

use std::fmt;

/// Longest amount accepted from a caller, in characters.
pub const MAX_AMOUNT_LEN: usize = 64;

/// A decimal amount as exact text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Amount {
    text: String,
    valid: bool,
}

/// Why a caller's amount was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// The text is empty.
    Empty,
    /// Longer than [`MAX_AMOUNT_LEN`].
    TooLong,
    /// Not of the form `digits[.digits]`.
    NotDecimal,
    /// Zero (or only zeros).
    NotPositive,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmountError::Empty => "must not be empty",
            AmountError::TooLong => "must be at most 64 characters",
            AmountError::NotDecimal => {
                "must be a decimal string such as \"106.75\" (digits, an optional fraction; no sign, exponent or spaces)"
            }
            AmountError::NotPositive => "must be greater than zero",
        })
    }
}

impl std::error::Error for AmountError {}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Amount {
    /// A caller's amount: `digits[.digits]`, greater than zero. Leading zeros of the integer
    /// part are dropped (a JSON number cannot carry them); every other digit is kept.
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        if text.len() > MAX_AMOUNT_LEN {
            return Err(AmountError::TooLong);
        }
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        if !is_digits(int) || frac.is_some_and(|f| !is_digits(f)) {
            return Err(AmountError::NotDecimal);
        }
        if text.bytes().all(|b| b == b'0' || b == b'.') {
            return Err(AmountError::NotPositive);
        }
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let mut text = String::with_capacity(text.len());
        text.push_str(int);
        if let Some(f) = frac {
            text.push('.');
            text.push_str(f);
        }
        Ok(Amount { text, valid: true })
    }

    /// An amount decoded from the API: a plain decimal (optionally negative) is kept as is,
    /// an exponent form is written out exactly, anything else is kept verbatim and flagged.
    pub fn decoded(text: &str) -> Amount {
        match normalize_decimal(text) {
            Some(text) => Amount { text, valid: true },
            None => Amount {
                text: text.to_string(),
                valid: false,
            },
        }
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the text is a decimal number. Only decoded amounts can be invalid.
    pub fn is_valid(&self) -> bool {
        self.valid
    }
}

/// Serialized as its exact text (a JSON string).
impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.valid {
            write!(f, "Amount({})", self.text)
        } else {
            write!(f, "Amount(malformed {:?})", self.text)
        }
    }
}

impl std::str::FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

/// Writes a decimal (optional sign, digits, optional fraction, optional exponent) as plain
/// decimal text without exponent, exactly. `None` if the text is not such a number.
pub fn normalize_decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let (neg, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => {
            let exp: i64 = t[i + 1..].parse().ok()?;
            (&t[..i], exp)
        }
        None => (t, 0),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if int.is_empty() || (mantissa.contains('.') && frac.is_empty()) {
        return None;
    }
    if exp == 0 {
        let mut text = String::with_capacity(mantissa.len() + 1);
        if neg {
            text.push('-');
        }
        text.push_str(mantissa);
        return Some(text);
    }
    if exp.unsigned_abs() > 400 {
        return None;
    }
    // Shift the decimal point of `digits` (point after `point` digits) by `exp`.
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exp;
    let (int_part, frac_part) = if point <= 0 {
        (
            "0".to_string(),
            format!("{}{}", "0".repeat((-point) as usize), digits),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let int_part = int_part.trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let sign = if neg { "-" } else { "" };
    Some(if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_digits() {
        assert_eq!(Amount::parse("106.75").unwrap().as_str(), "106.75");
        assert_eq!(Amount::parse("0.1").unwrap().as_str(), "0.1");
        assert_eq!(Amount::parse("106.750").unwrap().as_str(), "106.750");
        assert_eq!(Amount::parse("0.00001").unwrap().as_str(), "0.00001");
        let thirty = "123456789012345.678901234567890";
        assert_eq!(Amount::parse(thirty).unwrap().as_str(), thirty);
        assert_eq!(Amount::parse("007.5").unwrap().as_str(), "7.5");
    }

    #[test]
    fn parse_refuses_the_rest() {
        for bad in [
            "", "-1", "+1", "1e-5", "1.", ".5", "1,5", " 1", "1 ", "abc", "0x10", "NaN", "inf",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Amount::parse("0"), Err(AmountError::NotPositive));
        assert_eq!(Amount::parse("0.000"), Err(AmountError::NotPositive));
        assert_eq!(Amount::parse(&"1".repeat(65)), Err(AmountError::TooLong));
    }

    #[test]
    fn decoded_is_tolerant() {
        assert_eq!(Amount::decoded("100.00000000").as_str(), "100.00000000");
        assert_eq!(Amount::decoded("-5.5").as_str(), "-5.5");
        assert_eq!(Amount::decoded("1e-5").as_str(), "0.00001");
        assert_eq!(Amount::decoded("1.5E+3").as_str(), "1500");
        assert_eq!(Amount::decoded("12.345e1").as_str(), "123.45");
        let bad = Amount::decoded("0.106.75000000");
        assert!(!bad.is_valid());
        assert_eq!(bad.as_str(), "0.106.75000000");
        assert!(format!("{bad:?}").contains("malformed"));
    }
}
