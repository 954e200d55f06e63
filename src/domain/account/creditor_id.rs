//! SEPA creditor identifier (EPC262-08, "AT-02"): `CC kk BBB NNNN…`.
//!
//! The check digits `kk` are ISO 7064 MOD 97-10 over the national identifier followed
//! by the country code and the check digits; the 3-character creditor business code
//! `BBB` is excluded. Letters count as 10..=35 and a valid identifier leaves remainder 1.

use std::fmt;

use super::check::{mod97, strip};
use crate::domain::country::CountryCode;
use crate::domain::rule::RuleViolation;

/// Longest creditor identifier allowed by the EPC rulebook.
const MAX_LEN: usize = 35;

/// A validated SEPA creditor identifier (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorId(String);

impl CreditorId {
    /// Parses a creditor identifier; whitespace is ignored and lower case accepted.
    ///
    /// Rules: `creditor_id.characters`, `creditor_id.length`, `creditor_id.country`,
    /// `creditor_id.check_digits`, `creditor_id.checksum`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let value = strip(input, &[]).to_ascii_uppercase();
        if let Some(bad) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(RuleViolation::new(
                "creditor_id.characters",
                "only letters A-Z and digits 0-9",
                format!("{input:?} (contains {bad:?})"),
            ));
        }
        // ASCII only from here on.
        let len = value.len();
        if !(8..=MAX_LEN).contains(&len) {
            return Err(RuleViolation::new(
                "creditor_id.length",
                format!(
                    "8 to {MAX_LEN} characters (country, 2 check digits, 3-character business code, national id)"
                ),
                format!("{len} characters: {value}"),
            ));
        }
        let country = value.get(..2).unwrap_or("");
        if CountryCode::parse(country).is_err() {
            return Err(RuleViolation::new(
                "creditor_id.country",
                "an assigned ISO 3166 country code in positions 1-2",
                value,
            ));
        }
        let check = value.get(2..4).unwrap_or("");
        if !check.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleViolation::new(
                "creditor_id.check_digits",
                "two digits in positions 3-4",
                value,
            ));
        }
        let national = value.get(7..).unwrap_or("");
        if mod97(&format!("{national}{country}{check}")) != Some(1) {
            return Err(RuleViolation::new(
                "creditor_id.checksum",
                format!(
                    "check digits {} (ISO 7064 MOD 97-10 over national id + country, business code excluded)",
                    expected_check_digits(country, national).unwrap_or_default()
                ),
                value,
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The creditor business code (positions 5-7; `ZZZ` when unused).
    pub fn business_code(&self) -> &str {
        self.0.get(4..7).unwrap_or("")
    }

    /// The national identifier after the business code.
    pub fn national_id(&self) -> &str {
        self.0.get(7..).unwrap_or("")
    }
}

/// The check digits a creditor identifier with this country and national id must carry.
pub fn expected_check_digits(country: &str, national_id: &str) -> Option<String> {
    let rem = mod97(&format!("{national_id}{country}00"))?;
    Some(format!("{:02}", 98 - rem))
}

impl fmt::Display for CreditorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
