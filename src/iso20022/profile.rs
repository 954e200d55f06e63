//! Per-bank profile knobs: what differs between banks that speak the same messages.

use super::message::MessageVersion;

/// The party that initiates the files (`GrpHdr/InitgPty`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiatingParty {
    pub name: String,
    /// Organisation id agreed with the bank (`InitgPty/Id/OrgId/Othr/Id`), if any.
    pub organisation_id: Option<String>,
}

/// How one bank wants its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Message for credit transfers (pain.001.001.03 or .09).
    pub credit_transfer_message: MessageVersion,
    /// Message for direct debits (pain.008.001.02 or .08).
    pub direct_debit_message: MessageVersion,
    /// `BtchBookg`: one booking per payment block (true) or per transaction (false).
    pub batch_booking: bool,
    /// Send the counterparty's BIC where the scheme does not need it (IBAN-only SEPA).
    pub send_optional_bic: bool,
    /// Send `CtrlSum` at group and block level.
    pub send_control_sum: bool,
    /// Refuse characters outside the SEPA set instead of replacing them with `.`.
    pub strict_charset: bool,
    /// `None`: the debtor (or creditor) account holder initiates.
    pub initiating_party: Option<InitiatingParty>,
    /// Indent the XML for people to read; banks do not need it (files are ~40 % larger).
    pub indent: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            credit_transfer_message: MessageVersion::Pain001V09,
            direct_debit_message: MessageVersion::Pain008V08,
            batch_booking: true,
            send_optional_bic: false,
            send_control_sum: true,
            strict_charset: false,
            initiating_party: None,
            indent: false,
        }
    }
}
