//! Account and routing identifiers: IBAN, per-country account NUMBER, Swedish Bankgiro
//! and PlusGiro, routing identifiers (BIC and national clearing codes) and the SEPA
//! creditor identifier. Every type here can only be built valid.
//!
//! # Layout
//! - `iban`: [`Iban`] (checksum and BBAN structure via `iban_validate`).
//! - `bic`: [`Bic`].
//! - `number`: [`AccountNumber`], the per-market NUMBER rules of the seed table.
//! - `sweden`: [`SwedishAccount`], clearing ranges and Bankgirot check methods.
//! - `giro`: [`Bankgiro`] and [`Plusgiro`].
//! - `routing`: national clearing codes and [`RoutingKind::iso_clearing_system`].
//! - `creditor_id`: [`CreditorId`].
//! - `check`: input clean-up and check-digit algorithms.
//!
//! Every rejection is a [`RuleViolation`] with a stable dotted rule name.

mod bic;
mod check;
mod creditor_id;
mod giro;
mod iban;
mod number;
mod routing;
mod sweden;

use std::fmt;

pub use bic::Bic;
pub use creditor_id::{CreditorId, expected_check_digits as creditor_id_check_digits};
pub use giro::{Bankgiro, Plusgiro};
pub use iban::{Iban, iban_length};
pub use number::{AccountNumber, number_markets};
pub use sweden::{SwedishAccount, SwedishAccountType, clearing_info as se_clearing_info};

use super::country::CountryCode;
use super::rule::RuleViolation;

use crate::named_enum;

named_enum! {
    /// The account identifier types of the instruction format (`account.type`).
    AccountIdentifierKind, "account.type" {
        Iban = "IBAN",
        Number = "NUMBER",
        SeBankgiro = "SE_BANKGIRO",
        SePlusgiro = "SE_PLUSGIRO",
    }
}

named_enum! {
    /// Routing identifier types (`routing[].type`). National clearing codes are named
    /// `<country>_<local name>`; [`RoutingKind::iso_clearing_system`] gives the ISO
    /// `ClrSysId` code where one exists.
    RoutingKind, "routing.type" {
        Bic = "BIC",
        AtDlz = "AT_DLZ",
        AuBsb = "AU_BSB",
        CaCpa = "CA_CPA",
        CnAps = "CN_APS",
        DeBlz = "DE_BLZ",
        EsNcc = "ES_NCC",
        GbDsc = "GB_DSC",
        GrHebic = "GR_HEBIC",
        HrVbdi = "HR_VBDI",
        IeNsc = "IE_NSC",
        InIfsc = "IN_IFSC",
        ItAbiCab = "IT_ABI_CAB",
        PlKnr = "PL_KNR",
        PtNcc = "PT_NCC",
        SeClearing = "SE_CLEARING",
        SiBsc = "SI_BSC",
        UsAba = "US_ABA",
    }
}

/// A validated account identifier of one of the four kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountIdentifier {
    Iban(Iban),
    /// A domestic account number, normalised per market.
    Number(AccountNumber),
    SeBankgiro(Bankgiro),
    SePlusgiro(Plusgiro),
}

impl AccountIdentifier {
    /// Validates `value` as an account identifier of `kind`. `country` is required
    /// for NUMBER. For the other kinds it is optional, but when given it must agree
    /// with the identifier (the IBAN's country; SE for Bankgiro and PlusGiro):
    /// rule `account.country_mismatch`. A missing country for NUMBER fails with
    /// `number.country_required`.
    pub fn parse(
        kind: AccountIdentifierKind,
        value: &str,
        country: Option<CountryCode>,
    ) -> Result<Self, RuleViolation> {
        let parsed = match kind {
            AccountIdentifierKind::Iban => AccountIdentifier::Iban(Iban::parse(value)?),
            AccountIdentifierKind::Number => {
                let Some(country) = country else {
                    return Err(RuleViolation::new(
                        "number.country_required",
                        "the account country for a NUMBER account",
                        "no country",
                    ));
                };
                AccountIdentifier::Number(AccountNumber::parse(country, value)?)
            }
            AccountIdentifierKind::SeBankgiro => {
                AccountIdentifier::SeBankgiro(Bankgiro::parse(value)?)
            }
            AccountIdentifierKind::SePlusgiro => {
                AccountIdentifier::SePlusgiro(Plusgiro::parse(value)?)
            }
        };
        if let (Some(given), Some(own)) = (country, parsed.country())
            && given != own
        {
            return Err(RuleViolation::new(
                "account.country_mismatch",
                format!("country {own} for this {kind} account"),
                format!("country {given}"),
            ));
        }
        Ok(parsed)
    }

    pub fn kind(&self) -> AccountIdentifierKind {
        match self {
            AccountIdentifier::Iban(_) => AccountIdentifierKind::Iban,
            AccountIdentifier::Number(_) => AccountIdentifierKind::Number,
            AccountIdentifier::SeBankgiro(_) => AccountIdentifierKind::SeBankgiro,
            AccountIdentifier::SePlusgiro(_) => AccountIdentifierKind::SePlusgiro,
        }
    }

    /// The country the account is held in, where the identifier tells.
    pub fn country(&self) -> Option<CountryCode> {
        match self {
            AccountIdentifier::Iban(iban) => Some(iban.country()),
            AccountIdentifier::Number(number) => Some(number.country()),
            AccountIdentifier::SeBankgiro(_) | AccountIdentifier::SePlusgiro(_) => {
                CountryCode::parse("SE").ok()
            }
        }
    }

    /// The normalised electronic form (same as `Display`).
    pub fn value(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AccountIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountIdentifier::Iban(v) => v.fmt(f),
            AccountIdentifier::Number(v) => v.fmt(f),
            AccountIdentifier::SeBankgiro(v) => v.fmt(f),
            AccountIdentifier::SePlusgiro(v) => v.fmt(f),
        }
    }
}

/// A validated routing identifier: a BIC or a national clearing code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoutingIdentifier {
    Bic(Bic),
    /// A national clearing code, normalised (no spaces or dashes; CA in EFT form).
    Clearing {
        kind: RoutingKind,
        value: String,
    },
}

impl RoutingIdentifier {
    pub fn parse(kind: RoutingKind, value: &str) -> Result<Self, RuleViolation> {
        match kind {
            RoutingKind::Bic => Bic::parse(value).map(RoutingIdentifier::Bic),
            _ => routing::parse_clearing_code(kind, value)
                .map(|value| RoutingIdentifier::Clearing { kind, value }),
        }
    }

    pub fn kind(&self) -> RoutingKind {
        match self {
            RoutingIdentifier::Bic(_) => RoutingKind::Bic,
            RoutingIdentifier::Clearing { kind, .. } => *kind,
        }
    }

    /// The normalised electronic form (same as `Display`).
    pub fn value(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for RoutingIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoutingIdentifier::Bic(bic) => bic.fmt(f),
            RoutingIdentifier::Clearing { value, .. } => f.write_str(value),
        }
    }
}
