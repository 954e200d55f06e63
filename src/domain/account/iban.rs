//! IBAN (ISO 13616).
//!
//! The checksum and the per-country BBAN structure come from `iban_validate`; this
//! module checks the characters, the country and the length first so every rejection
//! names the failed rule in words an operator understands.

use std::fmt;

use super::check::strip;
use crate::domain::country::CountryCode;
use crate::domain::rule::RuleViolation;

/// IBAN length per country, from the SWIFT IBAN registry (the same registry release
/// `iban_validate` 5.0 is generated from). Sorted for binary search.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// The registered IBAN length for `country`, if the country uses IBAN.
pub fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(c, _)| (*c).cmp(country))
        .ok()
        .and_then(|i| IBAN_LENGTHS.get(i))
        .map(|(_, len)| *len)
}

/// A validated IBAN in electronic format (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban {
    value: String,
    country: CountryCode,
}

impl Iban {
    /// Parses an IBAN in electronic or paper format. Any whitespace is ignored and
    /// lower case is accepted; the result is the electronic format.
    ///
    /// Rules, in the order they are checked: `iban.characters`, `iban.country`,
    /// `iban.length`, `iban.check_digits`, `iban.checksum`, `iban.bban`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let value = strip(input, &[]).to_ascii_uppercase();
        if value.is_empty() {
            return Err(RuleViolation::new(
                "iban.length",
                "an IBAN (country code, 2 check digits, BBAN)",
                "an empty value",
            ));
        }
        if let Some(bad) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(RuleViolation::new(
                "iban.characters",
                "only letters A-Z, digits 0-9 and spaces",
                format!("{input:?} (contains {bad:?})"),
            ));
        }
        // Only ASCII remains, so byte slicing below is char-safe.
        let country_part = value.get(..2).unwrap_or(&value);
        let Some(expected_len) = iban_length(country_part) else {
            return Err(RuleViolation::new(
                "iban.country",
                "an IBAN starting with the code of a country that uses IBAN",
                value,
            ));
        };
        let country = CountryCode::parse(country_part).map_err(|_| {
            RuleViolation::new(
                "iban.country",
                "an IBAN starting with an assigned ISO 3166 country code",
                value.clone(),
            )
        })?;
        if value.len() != expected_len {
            return Err(RuleViolation::new(
                "iban.length",
                format!("{expected_len} characters for {country}"),
                format!("{} characters: {value}", value.len()),
            ));
        }
        let check_digits = value.get(2..4).unwrap_or("");
        if !check_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleViolation::new(
                "iban.check_digits",
                "two digits after the country code",
                value,
            ));
        }
        match value.parse::<iban::Iban>() {
            Ok(_) => Ok(Self { value, country }),
            Err(iban::ParseIbanError::InvalidBaseIban {
                source: iban::ParseBaseIbanError::InvalidChecksum,
            }) => Err(RuleViolation::new(
                "iban.checksum",
                "valid IBAN check digits (ISO 7064 MOD 97-10)",
                value,
            )),
            Err(iban::ParseIbanError::InvalidBban(_)) => Err(RuleViolation::new(
                "iban.bban",
                format!("the BBAN structure registered for {country}"),
                value,
            )),
            Err(iban::ParseIbanError::UnknownCountry(_)) => Err(RuleViolation::new(
                "iban.country",
                "an IBAN starting with the code of a country that uses IBAN",
                value,
            )),
            Err(_) => Err(RuleViolation::new(
                "iban.characters",
                "an IBAN in electronic or paper format",
                value,
            )),
        }
    }

    /// The electronic format: upper case, no spaces.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The two check digits.
    pub fn check_digits(&self) -> &str {
        self.value.get(2..4).unwrap_or("")
    }

    /// The country-specific part after the check digits.
    pub fn bban(&self) -> &str {
        self.value.get(4..).unwrap_or("")
    }

    /// Paper format: groups of four separated by single spaces.
    pub fn to_paper(&self) -> String {
        let mut out = String::with_capacity(self.value.len() + self.value.len() / 4);
        for (i, c) in self.value.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_table_is_sorted_and_matches_countries() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        for (cc, _) in IBAN_LENGTHS {
            assert!(CountryCode::parse(cc).is_ok(), "{cc} is not assigned");
        }
    }

    #[test]
    fn paper_format() {
        let iban = Iban::parse("de89370400440532013000").unwrap();
        assert_eq!(iban.to_paper(), "DE89 3704 0044 0532 0130 00");
        assert_eq!(iban.bban(), "370400440532013000");
        assert_eq!(iban.check_digits(), "89");
    }
}
