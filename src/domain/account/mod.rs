//! Account and routing identifiers: IBAN, per-country account NUMBER, Swedish Bankgiro
//! and PlusGiro, routing identifiers (BIC and national clearing codes) and the SEPA
//! creditor identifier. Every type here can only be built valid.
//!
//! SKELETON: the identifiers helper replaces the bodies below; the public signatures
//! are the contract the rest of the crate codes against.

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

/// A validated IBAN in electronic format (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    pub fn parse(_input: &str) -> Result<Self, RuleViolation> {
        Err(RuleViolation::new("iban.unimplemented", "skeleton", ""))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn country(&self) -> CountryCode {
        CountryCode::parse(&self.0[..2]).expect("validated")
    }
}

/// A validated BIC (8 or 11 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    pub fn parse(_input: &str) -> Result<Self, RuleViolation> {
        Err(RuleViolation::new("bic.unimplemented", "skeleton", ""))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated SEPA creditor identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorId(String);

impl CreditorId {
    pub fn parse(_input: &str) -> Result<Self, RuleViolation> {
        Err(RuleViolation::new(
            "creditor_id.unimplemented",
            "skeleton",
            "",
        ))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated account identifier of one of the four kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountIdentifier {
    Iban(Iban),
    /// A domestic account number, normalised (digits only where the market is numeric).
    Number {
        country: CountryCode,
        number: String,
    },
    SeBankgiro(String),
    SePlusgiro(String),
}

impl AccountIdentifier {
    /// Validates `value` as an account identifier of `kind`. `country` is required
    /// for NUMBER and ignored (but checked against the IBAN when given) otherwise.
    pub fn parse(
        _kind: AccountIdentifierKind,
        _value: &str,
        _country: Option<CountryCode>,
    ) -> Result<Self, RuleViolation> {
        Err(RuleViolation::new("account.unimplemented", "skeleton", ""))
    }

    pub fn kind(&self) -> AccountIdentifierKind {
        match self {
            AccountIdentifier::Iban(_) => AccountIdentifierKind::Iban,
            AccountIdentifier::Number { .. } => AccountIdentifierKind::Number,
            AccountIdentifier::SeBankgiro(_) => AccountIdentifierKind::SeBankgiro,
            AccountIdentifier::SePlusgiro(_) => AccountIdentifierKind::SePlusgiro,
        }
    }

    /// The country the account is held in, where the identifier tells.
    pub fn country(&self) -> Option<CountryCode> {
        match self {
            AccountIdentifier::Iban(iban) => Some(iban.country()),
            AccountIdentifier::Number { country, .. } => Some(*country),
            AccountIdentifier::SeBankgiro(_) | AccountIdentifier::SePlusgiro(_) => {
                CountryCode::parse("SE").ok()
            }
        }
    }
}

/// A validated routing identifier: a BIC or a national clearing code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoutingIdentifier {
    Bic(Bic),
    Clearing { kind: RoutingKind, value: String },
}

impl RoutingIdentifier {
    pub fn parse(_kind: RoutingKind, _value: &str) -> Result<Self, RuleViolation> {
        Err(RuleViolation::new("routing.unimplemented", "skeleton", ""))
    }

    pub fn kind(&self) -> RoutingKind {
        match self {
            RoutingIdentifier::Bic(_) => RoutingKind::Bic,
            RoutingIdentifier::Clearing { kind, .. } => *kind,
        }
    }
}
