//! Domestic account numbers (`account.type = NUMBER`) per market, following the seed
//! table "Country specific account identifiers".
//!
//! Spaces and dashes are accepted and removed. Decisions where the seed is loose:
//! * **DE**: the seed says 10 digits; German account numbers are written without
//!   leading zeros, so 1 to 10 digits are accepted and left-padded to 10 (the BBAN form).
//! * **DK**: the seed says 13 digits (4-digit reg.nr + account); the IBAN BBAN is
//!   reg.nr + 10-digit account = 14 digits. Both 13 and 14 digits are accepted and kept
//!   as given; [`AccountNumber::dk_parts`] splits and pads.
//! * **GR**: 16 alphanumerics, case kept as given (the seed allows both cases).
//! * **IT**: the 12-character account part only (the routing part `c5n5n` is a routing
//!   identifier), upper-cased.
//! * **GB**: 8 digits; Vocalink modulus checking needs the sort code and the Vocalink
//!   weight tables and is not done here.
//! * Markets the seed lists with IBAN but no NUMBER (and the SEPA countries the seed
//!   misses) fail with `number.iban_only`; any other market with `number.unsupported_market`.

use std::fmt;

use super::check::{all_digits, strip};
use super::sweden::SwedishAccount;
use crate::domain::country::CountryCode;
use crate::domain::rule::RuleViolation;

/// How a market's NUMBER is shaped.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// ASCII digits, length range inclusive.
    Digits(usize, usize),
    /// Digits, 1..=n accepted and left-padded with zeros to n.
    DigitsPadded(usize),
    /// Digits, one of two exact lengths.
    DigitsEither(usize, usize),
    /// ASCII letters and digits, exact length; `upper` = normalise to upper case.
    Alnum { len: usize, upper: bool },
    /// Swedish clearing + account.
    Sweden,
}

/// Markets where NUMBER is supported (seed table), sorted by country code.
const NUMBER_MARKETS: &[(&str, Shape)] = &[
    ("AT", Shape::Digits(11, 11)),
    ("AU", Shape::Digits(6, 10)),
    ("CA", Shape::Digits(7, 12)),
    ("CN", Shape::Digits(14, 19)),
    ("DE", Shape::DigitsPadded(10)),
    ("DK", Shape::DigitsEither(13, 14)),
    ("ES", Shape::Digits(12, 12)),
    ("GB", Shape::Digits(8, 8)),
    (
        "GR",
        Shape::Alnum {
            len: 16,
            upper: false,
        },
    ),
    ("HR", Shape::Digits(10, 10)),
    ("IE", Shape::Digits(8, 8)),
    ("IN", Shape::Digits(10, 20)),
    (
        "IT",
        Shape::Alnum {
            len: 12,
            upper: true,
        },
    ),
    ("PL", Shape::Digits(16, 16)),
    ("PT", Shape::Digits(13, 13)),
    ("SE", Shape::Sweden),
    ("SI", Shape::Digits(10, 10)),
    ("US", Shape::Digits(6, 17)),
];

/// Markets that take IBAN only: the seed's IBAN-without-NUMBER markets plus the SEPA
/// countries the seed does not list.
const IBAN_ONLY: &[&str] = &[
    "BE", "BG", "CH", "CY", "CZ", "EE", "FI", "FR", "HU", "IS", "LI", "LT", "LU", "LV", "MC", "MT",
    "NL", "NO", "RO", "SK", "SM", "VA",
];

fn shape(country: &str) -> Option<Shape> {
    NUMBER_MARKETS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, s)| *s)
}

/// The countries for which NUMBER is supported, for messages and documentation.
pub fn number_markets() -> impl Iterator<Item = &'static str> {
    NUMBER_MARKETS.iter().map(|(c, _)| *c)
}

/// A validated domestic account number for one market.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber {
    country: CountryCode,
    /// Normalised electronic form.
    number: String,
    /// Clearing + account split for SE.
    sweden: Option<SwedishAccount>,
}

impl AccountNumber {
    /// Validates `input` as a NUMBER for `country`.
    ///
    /// Rules: `number.iban_only`, `number.unsupported_market`, `number.characters`,
    /// `number.length`, and the `se.*` rules for Sweden.
    pub fn parse(country: CountryCode, input: &str) -> Result<Self, RuleViolation> {
        let cc = country.as_str();
        let Some(shape) = shape(cc) else {
            if IBAN_ONLY.contains(&cc) {
                return Err(RuleViolation::new(
                    "number.iban_only",
                    format!("an IBAN: {cc} does not support NUMBER, use account type IBAN"),
                    format!("NUMBER for {cc}"),
                ));
            }
            return Err(RuleViolation::new(
                "number.unsupported_market",
                format!(
                    "a NUMBER market ({})",
                    number_markets().collect::<Vec<_>>().join(", ")
                ),
                format!("NUMBER for {cc}"),
            ));
        };
        let value = strip(input, &['-']);
        let len = value.chars().count();
        let number = match shape {
            Shape::Alnum { len: want, upper } => {
                if let Some(bad) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
                    return Err(characters(cc, "letters and digits", input, bad));
                }
                if len != want {
                    return Err(length(
                        format!("{want} letters/digits for {cc}"),
                        len,
                        &value,
                    ));
                }
                if upper {
                    value.to_ascii_uppercase()
                } else {
                    value
                }
            }
            Shape::Digits(min, max) => {
                digits_only(cc, input, &value)?;
                if !(min..=max).contains(&len) {
                    let want = if min == max {
                        format!("{max} digits for {cc}")
                    } else {
                        format!("{min} to {max} digits for {cc}")
                    };
                    return Err(length(want, len, &value));
                }
                value
            }
            Shape::DigitsEither(a, b) => {
                digits_only(cc, input, &value)?;
                if len != a && len != b {
                    return Err(length(format!("{a} or {b} digits for {cc}"), len, &value));
                }
                value
            }
            Shape::DigitsPadded(max) => {
                digits_only(cc, input, &value)?;
                if !(1..=max).contains(&len) {
                    return Err(length(format!("1 to {max} digits for {cc}"), len, &value));
                }
                format!("{value:0>max$}")
            }
            Shape::Sweden => {
                let account = SwedishAccount::parse(input)?;
                return Ok(Self {
                    country,
                    number: account.to_string(),
                    sweden: Some(account),
                });
            }
        };
        Ok(Self {
            country,
            number,
            sweden: None,
        })
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The normalised number (same as `Display`).
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The clearing/account split, for Swedish numbers.
    pub fn sweden(&self) -> Option<&SwedishAccount> {
        self.sweden.as_ref()
    }

    /// For Danish numbers: the 4-digit reg.nr and the account zero-padded to 10 digits.
    pub fn dk_parts(&self) -> Option<(&str, String)> {
        if self.country.as_str() != "DK" {
            return None;
        }
        let reg = self.number.get(..4)?;
        let account = self.number.get(4..)?;
        Some((reg, format!("{account:0>10}")))
    }
}

fn digits_only(cc: &str, input: &str, value: &str) -> Result<(), RuleViolation> {
    match value.chars().find(|c| !c.is_ascii_digit()) {
        Some(bad) => Err(characters(cc, "digits", input, bad)),
        None if value.is_empty() || !all_digits(value) => Err(RuleViolation::new(
            "number.length",
            format!("an account number for {cc}"),
            "an empty value",
        )),
        None => Ok(()),
    }
}

fn characters(cc: &str, what: &str, input: &str, bad: char) -> RuleViolation {
    RuleViolation::new(
        "number.characters",
        format!("only {what} for {cc} (spaces and dashes allowed)"),
        format!("{input:?} (contains {bad:?})"),
    )
}

fn length(expected: String, len: usize, value: &str) -> RuleViolation {
    RuleViolation::new(
        "number.length",
        expected,
        format!("{len} characters: {value}"),
    )
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}
