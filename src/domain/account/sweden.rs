//! Swedish bank accounts: clearing number + account number, validated per bank with
//! the methods of Bankgirot's "Bankernas kontonummer" (type 1 comment 1/2, type 2
//! comment 1/2/3). See domain reference §6.3 for the table this module encodes.
//!
//! # Input forms
//! * `cccc,aaaaaaa` / `cccc-c, aaa aaa aaa-a`: a comma separates clearing and account
//!   explicitly; spaces and dashes are ignored elsewhere.
//! * digits only (spaces and dashes ignored): the first 4 digits are the clearing
//!   number. For Swedbank's 8xxx series the clearing number may carry a fifth check
//!   digit; digits-only input is read with 4 clearing digits when that reading is
//!   valid, else with 5. Both readings can only be valid when the digit after the
//!   clearing number is 0, and then they denote the same account (Swedbank accounts
//!   are normalised without leading zeros), so the choice never changes the account.
//!
//! Overall the seed's bound applies: 8 to 17 digits (4-5 digit clearing + account).

use std::fmt;

use super::check::{all_digits, luhn_valid, mod11_valid, strip};
use crate::domain::rule::RuleViolation;

/// The Bankgirot check method for an account at a clearing number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwedishAccountType {
    /// 7-digit account; mod 11 over the last 3 clearing digits + account.
    Type1Comment1,
    /// 7-digit account; mod 11 over all 4 clearing digits + account.
    Type1Comment2,
    /// 10-digit account; mod 10 (Luhn) over the account.
    Type2Comment1,
    /// Handelsbanken: 9-digit account (8 accepted, zero-padded); mod 11 over the account.
    Type2Comment2,
    /// Variable length (Swedbank 8xxx up to 10, PlusGirot up to 8); mod 10 over the account.
    Type2Comment3 { max_len: usize },
}

impl SwedishAccountType {
    fn describe(self) -> &'static str {
        match self {
            Self::Type1Comment1 => {
                "type 1 comment 1 (mod 11 over last 3 clearing digits + account)"
            }
            Self::Type1Comment2 => "type 1 comment 2 (mod 11 over clearing + account)",
            Self::Type2Comment1 => "type 2 comment 1 (mod 10 over the 10-digit account)",
            Self::Type2Comment2 => "type 2 comment 2 (mod 11 over the 9-digit account)",
            Self::Type2Comment3 { .. } => "type 2 comment 3 (mod 10 over the account)",
        }
    }
}

use SwedishAccountType::{Type1Comment1, Type1Comment2, Type2Comment1, Type2Comment2};
const SWEDBANK_8: SwedishAccountType = SwedishAccountType::Type2Comment3 { max_len: 10 };
const PLUSGIROT: SwedishAccountType = SwedishAccountType::Type2Comment3 { max_len: 8 };

/// Clearing ranges (inclusive), bank and method; Bankgirot table of 2024-02-22 as in
/// the domain reference §6.3. Re-check against the Bankgirot PDF periodically.
const CLEARING_RANGES: &[(u16, u16, &str, SwedishAccountType)] = &[
    (1100, 1199, "Nordea", Type1Comment1),
    (1200, 1399, "Danske Bank", Type1Comment1),
    (1400, 2099, "Nordea", Type1Comment1),
    (2300, 2399, "Ålandsbanken", Type1Comment2),
    (2400, 2499, "Danske Bank", Type1Comment1),
    (3000, 3299, "Nordea", Type1Comment1),
    (3300, 3300, "Nordea (personkonto)", Type2Comment1),
    (3301, 3399, "Nordea", Type1Comment1),
    (3400, 3409, "Länsförsäkringar Bank", Type1Comment1),
    (3410, 3781, "Nordea", Type1Comment1),
    (3782, 3782, "Nordea (personkonto)", Type2Comment1),
    (3783, 3999, "Nordea", Type1Comment1),
    (4000, 4999, "Nordea", Type1Comment2),
    (5000, 5999, "SEB", Type1Comment1),
    (6000, 6999, "Handelsbanken", Type2Comment2),
    (7000, 7999, "Swedbank", Type1Comment1),
    (8000, 8999, "Swedbank", SWEDBANK_8),
    (9020, 9029, "Länsförsäkringar Bank", Type1Comment2),
    (9040, 9049, "Citibank", Type1Comment2),
    (9060, 9069, "Länsförsäkringar Bank", Type1Comment1),
    (9070, 9079, "Multitude Bank", Type1Comment1),
    (9100, 9109, "Nordnet Bank", Type1Comment2),
    (9120, 9124, "SEB", Type1Comment1),
    (9130, 9149, "SEB", Type1Comment1),
    (9150, 9169, "Skandiabanken", Type1Comment2),
    (9170, 9179, "Ikano Bank", Type1Comment1),
    (9180, 9189, "Danske Bank", Type2Comment1),
    (9190, 9199, "DNB Bank", Type1Comment2),
    (9230, 9239, "Marginalen Bank", Type1Comment1),
    (9250, 9259, "SBAB", Type1Comment1),
    (9260, 9269, "DNB Bank", Type1Comment2),
    (9270, 9279, "ICA Banken", Type1Comment1),
    (9280, 9289, "Resurs Bank", Type1Comment1),
    (
        9300,
        9349,
        "Swedbank (ex Sparbanken Öresund)",
        Type2Comment1,
    ),
    (9390, 9399, "Landshypotek", Type1Comment2),
    (9460, 9469, "Santander Consumer Bank", Type1Comment1),
    (9470, 9479, "BNP Paribas", Type1Comment2),
    (9500, 9549, "Nordea (PlusGirot)", PLUSGIROT),
    (9550, 9569, "Avanza Bank", Type1Comment2),
    (9570, 9579, "Sparbanken Syd", Type2Comment1),
    (9580, 9589, "Aion Bank", Type1Comment1),
    (9590, 9599, "Erik Penser", Type1Comment2),
    (9630, 9639, "Lån & Spar Bank", Type1Comment1),
    (9640, 9649, "NOBA Bank", Type1Comment2),
    (9660, 9669, "Svea Bank", Type1Comment2),
    (9670, 9679, "JAK Medlemsbank", Type1Comment2),
    (9680, 9689, "BlueStep Finans", Type1Comment1),
    (9700, 9709, "Ekobanken", Type1Comment2),
    (9710, 9719, "Lunar", Type1Comment2),
    (9750, 9759, "Northmill Bank", Type1Comment2),
    (9780, 9789, "Klarna Bank", Type1Comment2),
    (9880, 9889, "Riksgälden", Type1Comment2),
    (9890, 9899, "Riksgälden", Type2Comment1),
    (9960, 9969, "Nordea (PlusGirot)", PLUSGIROT),
];

/// Bank name and check method for a 4-digit clearing number.
pub fn clearing_info(clearing4: &str) -> Option<(&'static str, SwedishAccountType)> {
    if clearing4.len() != 4 || !all_digits(clearing4) {
        return None;
    }
    let n: u16 = clearing4.parse().ok()?;
    CLEARING_RANGES
        .iter()
        .find(|(lo, hi, _, _)| (*lo..=*hi).contains(&n))
        .map(|(_, _, bank, ty)| (*bank, *ty))
}

/// Validates a Swedish clearing number on its own (4 digits, or 5 for Swedbank 8xxx
/// where the fifth is a Luhn check digit). Returns the 4-digit clearing and the check
/// digit if one was given.
pub(crate) fn parse_clearing(digits: &str) -> Result<(String, Option<char>), RuleViolation> {
    if !all_digits(digits) {
        return Err(RuleViolation::new(
            "se.clearing_characters",
            "a Swedish clearing number of 4 or 5 digits",
            format!("{digits:?}"),
        ));
    }
    let len = digits.len();
    if !(4..=5).contains(&len) {
        return Err(RuleViolation::new(
            "se.clearing_length",
            "4 digits (5 for Swedbank 8xxx with its check digit)",
            format!("{len} digits: {digits}"),
        ));
    }
    let clearing4 = &digits[..4];
    if clearing_info(clearing4).is_none() {
        return Err(RuleViolation::new(
            "se.clearing_unknown",
            "a clearing number in a range assigned to a Swedish bank",
            digits.to_string(),
        ));
    }
    if len == 5 {
        if !clearing4.starts_with('8') {
            return Err(RuleViolation::new(
                "se.clearing_length",
                format!(
                    "4 digits for clearing {clearing4} (only Swedbank 8xxx has a fifth check digit)"
                ),
                digits.to_string(),
            ));
        }
        if !luhn_valid(digits) {
            return Err(RuleViolation::new(
                "se.clearing_checksum",
                "a Swedbank clearing check digit (modulus 10 over the 5 digits)",
                digits.to_string(),
            ));
        }
    }
    Ok((clearing4.to_string(), digits.chars().nth(4)))
}

/// A validated Swedish bank account: clearing number + account number.
///
/// Equality and hashing look at the clearing and account numbers only, so writing
/// Swedbank's clearing check digit or not gives the same account.
#[derive(Debug, Clone)]
pub struct SwedishAccount {
    clearing: String,
    clearing_check_digit: Option<char>,
    account: String,
    bank: &'static str,
    account_type: SwedishAccountType,
}

impl SwedishAccount {
    /// Parses a Swedish account number (clearing + account), see the module docs.
    ///
    /// Rules: `number.characters`, `number.length`, `se.clearing_unknown`,
    /// `se.clearing_length`, `se.clearing_checksum`,
    /// `se.account_length`, `se.account_checksum`.
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let cleaned = strip(input, &['-']);
        let mut parts = cleaned.split(',');
        let first = parts.next().unwrap_or("");
        let second = parts.next();
        if parts.next().is_some() {
            return Err(RuleViolation::new(
                "number.characters",
                "clearing and account number, optionally separated by one comma",
                format!("{input:?}"),
            ));
        }
        let all: String = cleaned.chars().filter(|c| *c != ',').collect();
        if !all_digits(&all) {
            return Err(RuleViolation::new(
                "number.characters",
                "digits only for SE (spaces, dashes and one comma allowed)",
                format!("{input:?}"),
            ));
        }
        let len = all.len();
        if !(8..=17).contains(&len) {
            return Err(RuleViolation::new(
                "number.length",
                "8 to 17 digits for SE (4-5 digit clearing number + account number)",
                format!("{len} digits: {all}"),
            ));
        }
        if let Some(account) = second {
            let (clearing, check) = parse_clearing(first)?;
            return Self::build(&clearing, check, account);
        }
        // Digits only: the clearing number is the first 4 digits, or 5 for Swedbank 8xxx.
        let four = Self::build(&all[..4], None, &all[4..]);
        if !all.starts_with('8') {
            return four;
        }
        let five = parse_clearing(&all[..5])
            .and_then(|(clearing, check)| Self::build(&clearing, check, &all[5..]));
        match (four, five) {
            (Ok(a), _) | (Err(_), Ok(a)) => Ok(a),
            (Err(e4), Err(e5)) => {
                // Report the reading the input most likely meant: the 5-digit one when
                // its clearing check digit is right.
                if luhn_valid(&all[..5]) {
                    Err(e5)
                } else {
                    Err(e4)
                }
            }
        }
    }

    fn build(
        clearing: &str,
        clearing_check_digit: Option<char>,
        account_raw: &str,
    ) -> Result<Self, RuleViolation> {
        let Some((bank, account_type)) = clearing_info(clearing) else {
            return Err(RuleViolation::new(
                "se.clearing_unknown",
                "a clearing number in a range assigned to a Swedish bank",
                clearing.to_string(),
            ));
        };
        let (min, max) = match account_type {
            Type1Comment1 | Type1Comment2 => (7, 7),
            Type2Comment1 => (10, 10),
            Type2Comment2 => (8, 9),
            SwedishAccountType::Type2Comment3 { max_len } => (2, max_len),
        };
        // Leading zeros beyond the account's maximum length are padding.
        // Leading zeros beyond the account's maximum length are padding; variable-length
        // (type 2 comment 3) accounts drop all leading zeros so the form is canonical.
        let variable = matches!(account_type, SwedishAccountType::Type2Comment3 { .. });
        let mut account = account_raw;
        while (account.len() > max || variable) && account.starts_with('0') {
            account = &account[1..];
        }
        if !(min..=max).contains(&account.len()) {
            let expected = if min == max {
                format!("{max} digits")
            } else {
                format!("{min} to {max} digits")
            };
            return Err(RuleViolation::new(
                "se.account_length",
                format!("{expected} after clearing {clearing} ({bank})"),
                format!("{} digits: {account_raw}", account_raw.len()),
            ));
        }
        let account = match account_type {
            Type2Comment2 => format!("{account:0>9}"),
            _ => account.to_string(),
        };
        let valid = match account_type {
            Type1Comment1 => mod11_valid(&format!("{}{account}", &clearing[1..])),
            Type1Comment2 => mod11_valid(&format!("{clearing}{account}")),
            Type2Comment1 | SwedishAccountType::Type2Comment3 { .. } => luhn_valid(&account),
            Type2Comment2 => mod11_valid(&account),
        };
        if !valid {
            return Err(RuleViolation::new(
                "se.account_checksum",
                format!(
                    "a valid check digit for {bank}, {}",
                    account_type.describe()
                ),
                format!("{clearing}, {account}"),
            ));
        }
        Ok(Self {
            clearing: clearing.to_string(),
            clearing_check_digit,
            account,
            bank,
            account_type,
        })
    }

    /// The 4-digit clearing number (without Swedbank's fifth check digit).
    pub fn clearing(&self) -> &str {
        &self.clearing
    }

    /// Swedbank's clearing check digit, when the input carried it.
    pub fn clearing_check_digit(&self) -> Option<char> {
        self.clearing_check_digit
    }

    /// The account number, normalised: digits only; padding zeros beyond the bank's
    /// maximum length removed (all leading zeros for Swedbank 8xxx and PlusGirot);
    /// Handelsbanken left-padded to 9 digits.
    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn bank(&self) -> &'static str {
        self.bank
    }

    pub fn account_type(&self) -> SwedishAccountType {
        self.account_type
    }
}

impl PartialEq for SwedishAccount {
    fn eq(&self, other: &Self) -> bool {
        self.clearing == other.clearing && self.account == other.account
    }
}

impl Eq for SwedishAccount {}

impl std::hash::Hash for SwedishAccount {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.clearing.hash(state);
        self.account.hash(state);
    }
}

impl fmt::Display for SwedishAccount {
    /// The canonical electronic form: the 4-digit clearing number followed by the
    /// normalised account number, digits only. Swedbank's clearing check digit is left
    /// out (it is redundant), so every way of writing one account prints the same.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clearing)?;
        f.write_str(&self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_ordered_and_disjoint() {
        assert!(CLEARING_RANGES.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(CLEARING_RANGES.iter().all(|(lo, hi, _, _)| lo <= hi));
    }
}
