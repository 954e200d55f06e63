//! Instructions: what a client asks bankgate to do, after validation.
//!
//! Four kinds: credit transfers, direct debits, mandates and mandate cancellations.
//! Each value here has passed every field rule; how they are read from files lives in
//! `intake`. Text limits follow the SEPA/ISO 20022 element sizes.

use std::fmt;

use jiff::civil::Date;

use super::account::{AccountIdentifier, CreditorId, RoutingIdentifier};
use super::country::CountryCode;
use super::money::Amount;
use super::remittance::Remittance;
use super::rule::RuleViolation;
use super::scheme::Scheme;
use crate::named_enum;

/// Longest identifier ISO 20022 carries (Max35Text).
pub const MAX_ID_LEN: usize = 35;
/// Longest party name SEPA carries (`Nm`, Max70Text in the EPC guidelines).
pub const MAX_NAME_LEN: usize = 70;

named_enum! {
    /// The `type` of an instruction.
    InstructionKind, "type" {
        CreditTransfer = "credit_transfer",
        DirectDebit = "direct_debit",
        Mandate = "mandate",
        MandateCancellation = "mandate_cancellation",
    }
}

/// The client's idempotency key for an instruction: 1 to 35 characters, no control
/// characters, no surrounding blanks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstructionId(String);

impl InstructionId {
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let len = input.chars().count();
        if len == 0 || len > MAX_ID_LEN {
            return Err(RuleViolation::new(
                "id.length",
                format!("1 to {MAX_ID_LEN} characters"),
                format!("{len} characters"),
            ));
        }
        if input.trim() != input || input.chars().any(char::is_control) {
            return Err(RuleViolation::new(
                "id.characters",
                "no control characters and no leading or trailing blanks",
                input.escape_debug().to_string(),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstructionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mandate reference (UMR): 1 to 35 characters of the SEPA restricted identifier set
/// (`A-Z a-z 0-9 + ? / - : ( ) . , '`, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MandateId(String);

impl MandateId {
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let len = input.chars().count();
        if len == 0 || len > MAX_ID_LEN {
            return Err(RuleViolation::new(
                "mandate_id.length",
                format!("1 to {MAX_ID_LEN} characters"),
                format!("{len} characters"),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "+?/-:().,'".contains(c);
        if !input.chars().all(allowed) {
            return Err(RuleViolation::new(
                "mandate_id.characters",
                "letters, digits and + ? / - : ( ) . , ' only (no spaces)",
                input,
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MandateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a free-text field: not blank, at most `max` characters, no control characters.
pub fn check_text(text: &str, max: usize) -> Result<String, RuleViolation> {
    if text.trim().is_empty() {
        return Err(RuleViolation::new(
            "text.empty",
            "a non-blank text",
            "a blank text",
        ));
    }
    let len = text.chars().count();
    if len > max {
        return Err(RuleViolation::new(
            "text.length",
            format!("at most {max} characters"),
            format!("{len} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(RuleViolation::new(
            "text.characters",
            "text without control characters (tabs, newlines)",
            text.escape_debug().to_string(),
        ));
    }
    Ok(text.to_owned())
}

/// A structured postal address (ISO 20022 `PstlAdr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    pub country: CountryCode,
    pub town: Option<String>,
    pub postal_code: Option<String>,
    pub street: Option<String>,
    pub building_number: Option<String>,
    /// Unstructured address lines (`AdrLine`, at most 2 of 70 characters): with the
    /// structured parts above they make a hybrid address.
    pub lines: Vec<String>,
}

/// The other side of a payment: creditor of a transfer, debtor of a mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub address: Option<PostalAddress>,
    pub account: AccountIdentifier,
    pub routing: Vec<RoutingIdentifier>,
}

/// Pay money out of one of our accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransfer {
    pub id: InstructionId,
    /// Id of the debtor account in the configuration.
    pub source_account: String,
    pub scheme: Scheme,
    pub amount: Amount,
    /// `None` means as soon as possible.
    pub requested_date: Option<Date>,
    pub remittance: Option<Remittance>,
    pub counterparty: Party,
    /// Who pays the charges; cross-border only (SEPA is always SLEV). Default SHAR.
    pub charge_bearer: Option<ChargeBearer>,
    /// Urgent (`SvcLvl` URGP) instead of non-urgent (NURG); cross-border only.
    pub urgent: bool,
    /// `CtgyPurp/Cd`, e.g. SALA or SUPP; payments with different purposes go in
    /// different payment-information blocks.
    pub category_purpose: Option<CategoryPurpose>,
}

named_enum! {
    /// Who bears the charges of a cross-border transfer (`ChrgBr`).
    ChargeBearer, "charge_bearer" {
        Shared = "SHAR",
        Debtor = "DEBT",
        Creditor = "CRED",
    }
}

/// An ISO external category purpose code: four upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryPurpose([u8; 4]);

impl CategoryPurpose {
    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        match input.as_bytes() {
            [a, b, c, d] if input.bytes().all(|x| x.is_ascii_uppercase()) => {
                Ok(Self([*a, *b, *c, *d]))
            }
            _ => Err(RuleViolation::new(
                "category_purpose.format",
                "four upper-case letters (ISO ExternalCategoryPurpose1Code, e.g. SALA, SUPP)",
                input,
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("OTHR")
    }
}

/// Collect money from a debtor under a mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebit {
    pub id: InstructionId,
    /// Id of the creditor (collecting) account in the configuration.
    pub source_account: String,
    pub scheme: Scheme,
    pub amount: Amount,
    pub requested_date: Date,
    pub mandate: MandateId,
    pub remittance: Option<Remittance>,
}

/// What changed in a mandate since the last collection (SEPA `AmdmntInfDtls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateAmendment {
    /// The mandate reference used until now, when the reference changed.
    pub original_mandate_id: Option<MandateId>,
    /// The creditor identifier used until now, when it changed.
    pub original_creditor_id: Option<CreditorId>,
    /// The debtor now pays from another account (rendered as `SMNDA`).
    pub debtor_account_changed: bool,
}

/// A debtor's authorisation to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    pub id: MandateId,
    pub scheme: Scheme,
    /// Id of the collecting account in the configuration.
    pub creditor_account: String,
    pub signed_on: Date,
    /// Created already active (e.g. migrated from another system).
    pub active: bool,
    pub debtor: Party,
    /// Set when the mandate changed; the next collection carries the amendment.
    pub amendment: Option<MandateAmendment>,
}

/// A request to cancel a mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateCancellation {
    pub mandate: MandateId,
    pub reason: Option<String>,
}

/// One validated instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    CreditTransfer(CreditTransfer),
    DirectDebit(DirectDebit),
    Mandate(Mandate),
    MandateCancellation(MandateCancellation),
}

impl Instruction {
    pub fn kind(&self) -> InstructionKind {
        match self {
            Instruction::CreditTransfer(_) => InstructionKind::CreditTransfer,
            Instruction::DirectDebit(_) => InstructionKind::DirectDebit,
            Instruction::Mandate(_) => InstructionKind::Mandate,
            Instruction::MandateCancellation(_) => InstructionKind::MandateCancellation,
        }
    }

    /// The key that makes the instruction idempotent: the client's `id` for payments,
    /// the mandate reference for mandates and their cancellations.
    pub fn key(&self) -> &str {
        match self {
            Instruction::CreditTransfer(ct) => ct.id.as_str(),
            Instruction::DirectDebit(dd) => dd.id.as_str(),
            Instruction::Mandate(m) => m.id.as_str(),
            Instruction::MandateCancellation(c) => c.mandate.as_str(),
        }
    }

    pub fn amount(&self) -> Option<Amount> {
        match self {
            Instruction::CreditTransfer(ct) => Some(ct.amount),
            Instruction::DirectDebit(dd) => Some(dd.amount),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let check = |input: &str, expected: Result<(), &str>| {
            assert_eq!(
                InstructionId::parse(input).map(|_| ()).map_err(|e| e.rule),
                expected,
                "{input:?}"
            );
        };
        check("inv-2026-0001", Ok(()));
        check(&"a".repeat(35), Ok(()));
        check("Faktura åäö", Ok(()));
        check(&"a".repeat(36), Err("id.length"));
        check("", Err("id.length"));
        check(" x", Err("id.characters"));
        check("a\tb", Err("id.characters"));
    }

    #[test]
    fn mandate_ids() {
        let check = |input: &str, expected: Result<(), &str>| {
            assert_eq!(
                MandateId::parse(input).map(|_| ()).map_err(|e| e.rule),
                expected,
                "{input:?}"
            );
        };
        check("MNDT-0001", Ok(()));
        check("A+?/-:().,'9", Ok(()));
        check("MNDT 0001", Err("mandate_id.characters"));
        check("MNDT_0001", Err("mandate_id.characters"));
        check(&"M".repeat(36), Err("mandate_id.length"));
    }
}
