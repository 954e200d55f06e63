//! Remittance information: unstructured text or an ISO 11649 (RF) creditor reference.

use std::fmt;

use super::rule::RuleViolation;

/// Longest unstructured remittance text SEPA carries (`Ustrd`, Max140Text).
pub const MAX_UNSTRUCTURED_LEN: usize = 140;

/// What the payer's bank passes on to the payee to identify the payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Remittance {
    Unstructured(String),
    Structured(CreditorReference),
}

impl Remittance {
    /// Free text of 1 to 140 characters.
    pub fn unstructured(text: &str) -> Result<Self, RuleViolation> {
        let len = text.chars().count();
        if text.trim().is_empty() {
            return Err(RuleViolation::new(
                "reference.empty",
                "1 to 140 characters of text",
                "an empty text",
            ));
        }
        if len > MAX_UNSTRUCTURED_LEN {
            return Err(RuleViolation::new(
                "reference.length",
                format!("at most {MAX_UNSTRUCTURED_LEN} characters"),
                format!("{len} characters"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(RuleViolation::new(
                "reference.characters",
                "text without control characters (tabs, newlines)",
                text.escape_debug().to_string(),
            ));
        }
        Ok(Remittance::Unstructured(text.to_owned()))
    }
}

/// A validated ISO 11649 structured creditor reference (`RF` + 2 check digits + up to
/// 21 alphanumerics), stored in electronic format (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorReference(String);

impl CreditorReference {
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let shape = compact.len() >= 5
            && compact.len() <= 25
            && compact.starts_with("RF")
            && compact[2..4].bytes().all(|b| b.is_ascii_digit())
            && compact[4..].bytes().all(|b| b.is_ascii_alphanumeric());
        if !shape {
            return Err(RuleViolation::new(
                "reference.rf_format",
                "RF, 2 check digits and 1 to 21 letters or digits (ISO 11649)",
                input,
            ));
        }
        let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
        if mod97(&rearranged) != 1 {
            return Err(RuleViolation::new(
                "reference.rf_checksum",
                "ISO 11649 check digits (mod 97 = 1)",
                input,
            ));
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 mod 97-10 over alphanumerics, letters counting A=10 .. Z=35.
fn mod97(text: &str) -> u32 {
    text.chars().fold(0u32, |acc, c| match c.to_digit(36) {
        Some(v) if v >= 10 => (acc * 100 + v) % 97,
        Some(v) => (acc * 10 + v) % 97,
        None => acc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        let got = CreditorReference::parse(input)
            .map(|r| r.to_string())
            .map_err(|e| e.rule);
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn creditor_references() {
        check("RF18539007547034", Ok("RF18539007547034"));
        check("RF18 5390 0754 7034", Ok("RF18539007547034"));
        check("rf18539007547034", Ok("RF18539007547034"));
        check("RF25A", Ok("RF25A")); // smallest: RF + 2 + 1 character
        check("RF19539007547034", Err("reference.rf_checksum"));
        check("RF18539007547035", Err("reference.rf_checksum"));
        check("XX18539007547034", Err("reference.rf_format"));
        check("RF1", Err("reference.rf_format"));
        check("RF18-5390", Err("reference.rf_format"));
        check("RF18ÄÖ", Err("reference.rf_format"));
        check("RF181234567890123456789012", Err("reference.rf_format"));
    }

    #[test]
    fn unstructured_limits() {
        assert!(Remittance::unstructured("Invoice 2026-0001").is_ok());
        assert_eq!(
            Remittance::unstructured(&"x".repeat(141)).map_err(|e| e.rule),
            Err("reference.length")
        );
        assert!(Remittance::unstructured(&"ä".repeat(140)).is_ok());
        assert_eq!(
            Remittance::unstructured(" ").map_err(|e| e.rule),
            Err("reference.empty")
        );
        assert_eq!(
            Remittance::unstructured("a\nb").map_err(|e| e.rule),
            Err("reference.characters")
        );
    }
}
