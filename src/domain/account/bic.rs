//! BIC (ISO 9362), as the ISO 20022 `BICFIDec2014Identifier` pattern
//! `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?`, with an assigned country code.

use std::fmt;

use super::check::strip;
use crate::domain::country::CountryCode;
use crate::domain::rule::RuleViolation;

/// A validated BIC (8 or 11 characters, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    /// Parses a BIC; whitespace is ignored and lower case is upper-cased.
    ///
    /// Rules: `bic.length`, `bic.format`, `bic.country`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let value = strip(input, &[]).to_ascii_uppercase();
        let len = value.chars().count();
        if len != 8 && len != 11 {
            return Err(RuleViolation::new(
                "bic.length",
                "8 or 11 characters",
                format!("{len} characters: {value}"),
            ));
        }
        let shape_ok = value.chars().enumerate().all(|(i, c)| {
            if (4..6).contains(&i) {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            }
        });
        if !shape_ok {
            return Err(RuleViolation::new(
                "bic.format",
                "4 letters/digits (party), 2 letters (country), 2 letters/digits (location), optional 3 letters/digits (branch)",
                value,
            ));
        }
        // ASCII only from here on.
        let country = value.get(4..6).unwrap_or("");
        if CountryCode::parse(country).is_err() {
            return Err(RuleViolation::new(
                "bic.country",
                "an assigned ISO 3166 country code in positions 5-6",
                value,
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code in positions 5-6.
    pub fn country(&self) -> Option<CountryCode> {
        self.0.get(4..6).and_then(|c| CountryCode::parse(c).ok())
    }

    /// The 11-character form (`XXX` branch appended to an 8-character BIC).
    pub fn to_bic11(&self) -> String {
        if self.0.len() == 8 {
            format!("{}XXX", self.0)
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
