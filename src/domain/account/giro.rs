//! Swedish giro numbers: Bankgiro (Bankgirot) and PlusGiro (Nordea/PlusGirot).
//! Both are digits only with a Luhn (modulus 10) check digit over the whole number.

use std::fmt;

use super::check::{all_digits, luhn_valid, strip};
use crate::domain::rule::RuleViolation;

/// Shared parsing: strip spaces and dashes, digits only, length range, Luhn.
fn parse_giro(
    input: &str,
    what: &str,
    min: usize,
    max: usize,
    rules: [&'static str; 3],
) -> Result<String, RuleViolation> {
    let [characters, length, checksum] = rules;
    let digits = strip(input, &['-']);
    if !all_digits(&digits) {
        return Err(RuleViolation::new(
            characters,
            format!("a {what} number of digits (spaces and dashes allowed)"),
            format!("{input:?}"),
        ));
    }
    let len = digits.len();
    if !(min..=max).contains(&len) {
        return Err(RuleViolation::new(
            length,
            format!("{min} to {max} digits for a {what} number"),
            format!("{len} digits: {digits}"),
        ));
    }
    if !luhn_valid(&digits) {
        return Err(RuleViolation::new(
            checksum,
            format!("a valid {what} check digit (modulus 10 over the whole number)"),
            digits,
        ));
    }
    Ok(digits)
}

/// A validated Bankgiro number: 7 or 8 digits, stored without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bankgiro(String);

impl Bankgiro {
    /// Parses `5050-1055`, `505-0105`, `50501055`, …
    ///
    /// Rules: `bankgiro.characters`, `bankgiro.length`, `bankgiro.checksum`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        parse_giro(
            input,
            "Bankgiro",
            7,
            8,
            [
                "bankgiro.characters",
                "bankgiro.length",
                "bankgiro.checksum",
            ],
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Display form `NNN-NNNN` / `NNNN-NNNN`.
    pub fn formatted(&self) -> String {
        let split = self.0.len() - 4;
        format!("{}-{}", &self.0[..split], &self.0[split..])
    }
}

impl fmt::Display for Bankgiro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated PlusGiro number: 2 to 8 digits, stored without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plusgiro(String);

impl Plusgiro {
    /// Parses `12 34 56-7`, `4 12 33-2`, `12345678`, …
    ///
    /// Rules: `plusgiro.characters`, `plusgiro.length`, `plusgiro.checksum`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        parse_giro(
            input,
            "PlusGiro",
            2,
            8,
            [
                "plusgiro.characters",
                "plusgiro.length",
                "plusgiro.checksum",
            ],
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Display form: pairs from the right with the check digit after a dash,
    /// e.g. `12 34 56-7`.
    pub fn formatted(&self) -> String {
        let (body, check) = self.0.split_at(self.0.len() - 1);
        let mut groups: Vec<&str> = Vec::new();
        let mut end = body.len();
        while end > 0 {
            let start = end.saturating_sub(2);
            groups.push(&body[start..end]);
            end = start;
        }
        groups.reverse();
        format!("{}-{check}", groups.join(" "))
    }
}

impl fmt::Display for Plusgiro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(
            Bankgiro::parse("50501055").unwrap().formatted(),
            "5050-1055"
        );
        assert_eq!(
            Plusgiro::parse("1234566").unwrap().formatted(),
            "12 34 56-6"
        );
        assert_eq!(Plusgiro::parse("18").unwrap().formatted(), "1-8");
    }
}
