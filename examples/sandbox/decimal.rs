//! Exact fixed-point money: an `i128` count of 1e-8 units. Never a float.

use std::fmt;

const SCALE: i128 = 100_000_000;
const DP: usize = 8;
/// Largest amount accepted from a request (whole units); keeps every product in `i128`.
pub const MAX_WHOLE: i128 = 1_000_000_000_000;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default, Hash)]
pub struct Dec(i128);

#[derive(Clone, Copy)]
pub enum Round {
    Down,
    Up,
    HalfUp,
}

/// Why a decimal text was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    NotNumber,
    TooPrecise,
    TooLarge,
}

impl Dec {
    pub const ZERO: Dec = Dec(0);

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses `-12.5`, `.5`, `5.`, `1e-3`, `0.10000000000` (zeros past 8 dp are fine).
    pub fn parse(text: &str) -> Result<Dec, ParseError> {
        let (neg, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e: i32 = rest[i + 1..].parse().map_err(|_| ParseError::NotNumber)?;
                if !(-64..=64).contains(&e) {
                    return Err(ParseError::TooLarge);
                }
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseError::NotNumber);
        }
        // All digits, and how many of them sit after the decimal point once the exponent is applied.
        let digits: String = format!("{int_part}{frac_part}");
        let frac_len = frac_part.len() as i32 - exp;
        let digits = digits.trim_start_matches('0');
        let mut units: i128 = 0;
        let shift = DP as i32 - frac_len; // >0: multiply by 10^shift; <0: drop trailing digits
        let kept = if shift >= 0 {
            digits
        } else {
            let cut = (-shift) as usize;
            let (keep, dropped) = digits.split_at(digits.len().saturating_sub(cut));
            if dropped.bytes().any(|b| b != b'0') {
                return Err(ParseError::TooPrecise);
            }
            keep
        };
        for b in kept.bytes() {
            units = units
                .checked_mul(10)
                .and_then(|u| u.checked_add((b - b'0') as i128))
                .ok_or(ParseError::TooLarge)?;
        }
        for _ in 0..shift.max(0) {
            if units == 0 {
                break;
            }
            units = units.checked_mul(10).ok_or(ParseError::TooLarge)?;
        }
        if units / SCALE >= MAX_WHOLE {
            return Err(ParseError::TooLarge);
        }
        Ok(Dec(if neg { -units } else { units }))
    }

    pub fn checked_add(self, o: Dec) -> Option<Dec> {
        self.0.checked_add(o.0).map(Dec)
    }

    pub fn checked_sub(self, o: Dec) -> Option<Dec> {
        self.0.checked_sub(o.0).map(Dec)
    }

    pub fn mul(self, o: Dec, round: Round) -> Dec {
        Dec(div_round(self.0 * o.0, SCALE, round))
    }

    pub fn div(self, o: Dec, round: Round) -> Dec {
        Dec(div_round(self.0 * SCALE, o.0, round))
    }

    /// `self * m / d`, rounded once.
    pub fn mul_div(self, m: Dec, d: Dec, round: Round) -> Dec {
        Dec(div_round(self.0 * m.0, d.0, round))
    }

    /// Rounds to `dp` decimal places (dp <= 8).
    pub fn round_dp(self, dp: u32, round: Round) -> Dec {
        let step = 10i128.pow(DP as u32 - dp.min(DP as u32));
        Dec(div_round(self.0, step, round) * step)
    }

    /// Fixed 8 decimal places, the API's money format.
    pub fn fmt8(self) -> String {
        self.to_string()
    }

    /// Exactly `dp` places (the value is rounded half-up first).
    pub fn fmt_dp(self, dp: u32) -> String {
        let s = self.round_dp(dp, Round::HalfUp).fmt8();
        let cut = DP - dp.min(DP as u32) as usize + usize::from(dp == 0);
        s[..s.len() - cut].to_string()
    }

    /// Without trailing zeros: `0.001`, `10`.
    pub fn fmt_trim(self) -> String {
        let s = self.fmt8();
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn div_round(n: i128, d: i128, round: Round) -> i128 {
    let (q, r) = (n / d, n % d);
    if r == 0 {
        return q;
    }
    let away = if (n < 0) != (d < 0) { -1 } else { 1 };
    match round {
        Round::Down => {
            if away < 0 {
                q - 1
            } else {
                q
            }
        }
        Round::Up => {
            if away > 0 {
                q + 1
            } else {
                q
            }
        }
        Round::HalfUp => {
            if r.abs() * 2 >= d.abs() {
                q + away
            } else {
                q
            }
        }
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let scale = SCALE as u128;
        write!(f, "{sign}{}.{:08}", a / scale, a % scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(Dec::parse("1").unwrap().fmt8(), "1.00000000");
        assert_eq!(Dec::parse(".5").unwrap().fmt8(), "0.50000000");
        assert_eq!(Dec::parse("1e-3").unwrap().fmt_trim(), "0.001");
        assert_eq!(Dec::parse("1.5E2").unwrap().fmt_trim(), "150");
        assert_eq!(Dec::parse("0.100000000000").unwrap().fmt8(), "0.10000000");
        assert_eq!(Dec::parse("-2.25").unwrap().fmt8(), "-2.25000000");
        assert_eq!(Dec::parse("0.000000001"), Err(ParseError::TooPrecise));
        assert_eq!(Dec::parse("abc"), Err(ParseError::NotNumber));
        assert_eq!(Dec::parse("."), Err(ParseError::NotNumber));
        assert_eq!(Dec::parse("1e70"), Err(ParseError::TooLarge));
        assert_eq!(Dec::parse("10000000000000"), Err(ParseError::TooLarge));
        assert_eq!(Dec::parse("10").unwrap().fmt_dp(2), "10.00");
        assert_eq!(Dec::parse("10").unwrap().fmt_dp(0), "10");
        assert_eq!(Dec::parse("0.003").unwrap().fmt_dp(8), "0.00300000");
    }

    #[test]
    fn arithmetic_rounds_as_asked() {
        let a = Dec::parse("100").unwrap();
        let p = Dec::parse("58321.4517").unwrap();
        assert_eq!(a.div(p, Round::Up).fmt8(), "0.00171464");
        assert_eq!(a.div(p, Round::Down).fmt8(), "0.00171463");
        let s = Dec::parse("0.02").unwrap();
        let price = Dec::parse("77314.26444450").unwrap();
        assert_eq!(s.mul(price, Round::Down).fmt8(), "1546.28528889");
        assert_eq!(
            Dec::parse("1.23456789")
                .unwrap()
                .round_dp(2, Round::HalfUp)
                .fmt8(),
            "1.23000000"
        );
    }
}
