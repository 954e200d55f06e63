//! The payment scheme catalogue.
//!
//! SKELETON: the schemes helper fills in the catalogue; the signatures are the contract.

use super::account::{AccountIdentifierKind, RoutingKind};
use super::country::CountryCode;
use super::money::Amount;
use super::rule::FieldViolation;
use crate::named_enum;

named_enum! {
    /// Every payment scheme bankgate knows (seed "Payment schemes and Timings").
    Scheme, "scheme" {
        SepaCreditTransfer = "SEPA_CREDIT_TRANSFER",
        SepaInstantCreditTransfer = "SEPA_INSTANT_CREDIT_TRANSFER",
        SepaDirectDebitCore = "SEPA_DIRECT_DEBIT_CORE",
        SepaDirectDebitB2b = "SEPA_DIRECT_DEBIT_B2B",
        SeAccountTransfer = "SE_ACCOUNT_TRANSFER",
        SeBankgiro = "SE_BANKGIRO",
        SePlusgiro = "SE_PLUSGIRO",
        SeAutogiro = "SE_AUTOGIRO",
        DkStandardTransfer = "DK_STANDARD_TRANSFER",
        DkSameDayTransfer = "DK_SAME_DAY_TRANSFER",
        DkImmediateTransfer = "DK_IMMEDIATE_TRANSFER",
        DkBetalingsservice = "DK_BETALINGSSERVICE",
        CrossBorder = "CROSS_BORDER",
    }
}

/// Whether a scheme moves money out (credit transfer) or pulls it in (direct debit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    CreditTransfer,
    DirectDebit,
}

/// What the scheme rules need to see of an instruction.
#[derive(Debug, Clone, Copy)]
pub struct SchemeCandidate<'a> {
    pub amount: Amount,
    /// Kind of the counterparty's account (creditor for credit transfers, debtor for
    /// direct debits); `None` when the instruction names no account (e.g. a collection
    /// that takes the debtor's account from its mandate).
    pub counterparty_account: Option<AccountIdentifierKind>,
    /// Country of the counterparty's account, where the identifier tells.
    pub counterparty_country: Option<CountryCode>,
    /// Kinds of the routing identifiers given for the counterparty's bank.
    pub counterparty_routing: &'a [RoutingKind],
}

impl Scheme {
    pub fn kind(self) -> SchemeKind {
        match self {
            Scheme::SepaDirectDebitCore
            | Scheme::SepaDirectDebitB2b
            | Scheme::SeAutogiro
            | Scheme::DkBetalingsservice => SchemeKind::DirectDebit,
            _ => SchemeKind::CreditTransfer,
        }
    }

    /// Every violation of this scheme's rules by `candidate`; empty when it complies.
    /// Field paths are relative to the instruction (`currency`, `amount`,
    /// `counterparty.account.type`, `counterparty.routing`).
    pub fn check(self, _candidate: &SchemeCandidate<'_>) -> Vec<FieldViolation> {
        Vec::new()
    }
}
