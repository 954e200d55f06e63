//! National clearing codes (`routing[].type` other than BIC).
//!
//! Spaces and dashes are accepted and removed (`12-34-56`, `123-456`). Rules:
//! `routing.characters`, `routing.length`, and per kind `us_aba.checksum`,
//! `ca_cpa.format`, `in_ifsc.format`, `it_abi_cab.format`, `se.clearing_*`.

use super::RoutingKind;
use super::check::{all_digits, strip};
use super::sweden::parse_clearing;
use crate::domain::rule::RuleViolation;

impl RoutingKind {
    /// The ISO 20022 `ClrSysId` code (ExternalClearingSystemIdentification1Code) for
    /// this routing kind; `None` for BIC and for codes without an ISO clearing system.
    pub fn iso_clearing_system(self) -> Option<&'static str> {
        match self {
            RoutingKind::Bic => None,
            RoutingKind::AtDlz => Some("ATBLZ"),
            RoutingKind::AuBsb => Some("AUBSB"),
            RoutingKind::CaCpa => Some("CACPA"),
            RoutingKind::CnAps => Some("CNAPS"),
            RoutingKind::DeBlz => Some("DEBLZ"),
            RoutingKind::EsNcc => Some("ESNCC"),
            RoutingKind::GbDsc => Some("GBDSC"),
            RoutingKind::GrHebic => Some("GRBIC"),
            RoutingKind::HrVbdi => None,
            RoutingKind::IeNsc => Some("IENCC"),
            RoutingKind::InIfsc => Some("INFSC"),
            RoutingKind::ItAbiCab => Some("ITNCC"),
            RoutingKind::PlKnr => Some("PLKNR"),
            RoutingKind::PtNcc => Some("PTNCC"),
            RoutingKind::SeClearing => Some("SESBA"),
            RoutingKind::SiBsc => None,
            RoutingKind::UsAba => Some("USABA"),
        }
    }

    /// Number of digits for the plain all-digit clearing codes.
    fn digits(self) -> Option<usize> {
        match self {
            RoutingKind::AtDlz | RoutingKind::SiBsc => Some(5),
            RoutingKind::AuBsb | RoutingKind::GbDsc | RoutingKind::IeNsc => Some(6),
            RoutingKind::GrHebic | RoutingKind::HrVbdi => Some(7),
            RoutingKind::DeBlz | RoutingKind::EsNcc | RoutingKind::PlKnr | RoutingKind::PtNcc => {
                Some(8)
            }
            RoutingKind::UsAba => Some(9),
            RoutingKind::CnAps => Some(12),
            RoutingKind::Bic
            | RoutingKind::CaCpa
            | RoutingKind::InIfsc
            | RoutingKind::ItAbiCab
            | RoutingKind::SeClearing => None,
        }
    }
}

/// Validates and normalises a national clearing code of `kind` (not BIC).
pub(crate) fn parse_clearing_code(kind: RoutingKind, input: &str) -> Result<String, RuleViolation> {
    let value = strip(input, &['-']).to_ascii_uppercase();
    if let Some(bad) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(RuleViolation::new(
            "routing.characters",
            format!("only letters and digits for {kind} (spaces and dashes allowed)"),
            format!("{input:?} (contains {bad:?})"),
        ));
    }
    // ASCII only from here on.
    match kind {
        RoutingKind::CaCpa => parse_ca_cpa(input, &value),
        RoutingKind::InIfsc => {
            let ok = value.len() == 11
                && value.bytes().take(4).all(|b| b.is_ascii_uppercase())
                && value.as_bytes().get(4) == Some(&b'0');
            if value.len() != 11 {
                return Err(length(kind, "11 characters", &value));
            }
            if !ok {
                return Err(RuleViolation::new(
                    "in_ifsc.format",
                    "4 letters (bank), the digit 0, 6 letters/digits (branch)",
                    value,
                ));
            }
            Ok(value)
        }
        RoutingKind::ItAbiCab => {
            if value.len() != 11 {
                return Err(length(
                    kind,
                    "11 characters (1 letter + 5-digit ABI + 5-digit CAB)",
                    &value,
                ));
            }
            let ok = value.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                && value.bytes().skip(1).all(|b| b.is_ascii_digit());
            if !ok {
                return Err(RuleViolation::new(
                    "it_abi_cab.format",
                    "1 letter (CIN) followed by 10 digits (5-digit ABI + 5-digit CAB)",
                    value,
                ));
            }
            Ok(value)
        }
        RoutingKind::SeClearing => {
            digits_only(kind, input, &value)?;
            parse_clearing(&value).map(|_| value)
        }
        _ => {
            let Some(n) = kind.digits() else {
                return Err(RuleViolation::new(
                    "routing.kind",
                    "a national clearing code kind",
                    kind.to_string(),
                ));
            };
            digits_only(kind, input, &value)?;
            if value.len() != n {
                return Err(length(kind, &format!("{n} digits"), &value));
            }
            if kind == RoutingKind::UsAba && !aba_valid(&value) {
                return Err(RuleViolation::new(
                    "us_aba.checksum",
                    "a valid ABA check digit (weights 3,7,1; sum divisible by 10)",
                    value,
                ));
            }
            Ok(value)
        }
    }
}

/// ABA routing number check: weights 3,7,1 repeated; the weighted sum is divisible by 10.
fn aba_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip([3, 7, 1].iter().cycle())
        .map(|(d, w)| d * w)
        .sum();
    digits.len() == 9 && sum.is_multiple_of(10)
}

/// Canadian routing number in EFT form `0YYYXXXXX` (0, 3-digit institution, 5-digit
/// transit). Accepted inputs: the 9-digit EFT form; 8 digits, to which a leading 0 is
/// prepended as the seed says; and the MICR form `XXXXX-YYY` (transit, dash,
/// institution), which is reordered into EFT form.
fn parse_ca_cpa(input: &str, value: &str) -> Result<String, RuleViolation> {
    let kind = RoutingKind::CaCpa;
    // MICR form: exactly one dash splitting 5 + 3 digits.
    let compact = strip(input, &[]);
    if let Some((transit, institution)) = compact.split_once('-')
        && transit.len() == 5
        && institution.len() == 3
        && all_digits(transit)
        && all_digits(institution)
    {
        return Ok(format!("0{institution}{transit}"));
    }
    digits_only(kind, input, value)?;
    match value.len() {
        8 => Ok(format!("0{value}")),
        9 if value.starts_with('0') => Ok(value.to_string()),
        9 => Err(RuleViolation::new(
            "ca_cpa.format",
            "a leading 0 in the 9-digit EFT form 0YYYXXXXX",
            value.to_string(),
        )),
        _ => Err(length(
            kind,
            "9 digits (0 + 3-digit institution + 5-digit transit), or 8 digits",
            value,
        )),
    }
}

fn digits_only(kind: RoutingKind, input: &str, value: &str) -> Result<(), RuleViolation> {
    if value.is_empty() {
        return Err(length(kind, "a clearing code", value));
    }
    match value.chars().find(|c| !c.is_ascii_digit()) {
        Some(bad) => Err(RuleViolation::new(
            "routing.characters",
            format!("only digits for {kind} (spaces and dashes allowed)"),
            format!("{input:?} (contains {bad:?})"),
        )),
        None => Ok(()),
    }
}

fn length(kind: RoutingKind, expected: &str, value: &str) -> RuleViolation {
    RuleViolation::new(
        "routing.length",
        format!("{expected} for {kind}"),
        format!("{} characters: {value}", value.len()),
    )
}
