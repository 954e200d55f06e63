//! Typed inbound reports: pain.002 payment status reports and camt.052/053/054
//! account reports, statements and notifications.
//!
//! Codes the standard leaves open (status, reason, bank transaction codes) are kept as
//! text: an unknown code is data, never a crash. Amounts are exact decimals with their
//! currency code; dates are calendar dates (a `DtTm` keeps its date part).

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::read::MessageName;

/// An amount as the bank reported it: exact decimal, non-negative, with its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportedAmount {
    pub value: Decimal,
    pub currency: String,
}

/// A status reason (`StsRsnInf` in pain.002).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusReason {
    /// `Rsn/Cd`, e.g. `AC01`.
    pub code: Option<String>,
    /// `Rsn/Prtry`.
    pub proprietary: Option<String>,
    /// `AddtlInf`, each occurrence.
    pub additional_info: Vec<String>,
    /// `Orgtr/Nm` or `Orgtr/Id/OrgId/AnyBIC|BICOrBEI`.
    pub originator: Option<String>,
}

/// Group level of a pain.002 (`GrpHdr` + `OrgnlGrpInfAndSts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupStatus {
    pub message_id: String,
    pub created_at: Option<String>,
    pub original_message_id: String,
    /// `OrgnlMsgNmId`, e.g. `pain.001.001.09`.
    pub original_message_name: Option<String>,
    pub original_number_of_transactions: Option<u64>,
    pub original_control_sum: Option<Decimal>,
    /// `GrpSts`, e.g. `ACTC`, `PART`, `RJCT`.
    pub status: Option<String>,
    pub reasons: Vec<StatusReason>,
}

/// Payment-information (batch) level of a pain.002 (`OrgnlPmtInfAndSts`), without its
/// transactions (they stream separately).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PaymentInformationStatus {
    pub original_payment_information_id: String,
    pub original_number_of_transactions: Option<u64>,
    pub original_control_sum: Option<Decimal>,
    /// `PmtInfSts`.
    pub status: Option<String>,
    pub reasons: Vec<StatusReason>,
}

/// Transaction level of a pain.002 (`TxInfAndSts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionStatus {
    /// The `OrgnlPmtInfId` of the block it sits in.
    pub original_payment_information_id: String,
    pub status_id: Option<String>,
    pub original_instruction_id: Option<String>,
    pub original_end_to_end_id: Option<String>,
    pub original_uetr: Option<String>,
    /// `TxSts`.
    pub status: Option<String>,
    pub reasons: Vec<StatusReason>,
    pub acceptance_date_time: Option<String>,
    pub account_servicer_reference: Option<String>,
    /// `OrgnlTxRef/Amt/InstdAmt`, when the bank echoes it.
    pub original_amount: Option<ReportedAmount>,
}

/// One item of a streamed pain.002, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum StatusItem {
    Group(GroupStatus),
    PaymentInformation(PaymentInformationStatus),
    Transaction(TransactionStatus),
}

/// A whole pain.002, for callers that want it in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentStatusReport {
    pub message: String,
    pub group: GroupStatus,
    pub payment_information: Vec<PaymentInformationStatus>,
    pub transactions: Vec<TransactionStatus>,
}

/// camt.053 statement, camt.054 notification or camt.052 report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Statement,
    Notification,
    AccountReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CreditDebit {
    #[serde(rename = "CRDT")]
    Credit,
    #[serde(rename = "DBIT")]
    Debit,
}

/// `Sts` of an entry (`Sts` or `Sts/Cd` in 2019 versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EntryStatus {
    #[serde(rename = "BOOK")]
    Booked,
    #[serde(rename = "PDNG")]
    Pending,
    #[serde(rename = "INFO")]
    Information,
    /// Any other code (e.g. `FUTR`), kept as given.
    Other(String),
}

/// `BkTxCd`: ISO domain/family/sub-family and/or a proprietary code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BankTransactionCode {
    pub domain: Option<String>,
    pub family: Option<String>,
    pub sub_family: Option<String>,
    pub proprietary: Option<String>,
}

impl BankTransactionCode {
    /// `PMNT/ICDT/ESCT`, or `None` without an ISO code.
    pub fn iso(&self) -> Option<String> {
        Some(format!(
            "{}/{}/{}",
            self.domain.as_deref()?,
            self.family.as_deref()?,
            self.sub_family.as_deref()?
        ))
    }
}

/// Header of one `Stmt`, `Ntfctn` or `Rpt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementHeader {
    pub kind: ReportKind,
    /// `GrpHdr/MsgId` of the file.
    pub message_id: String,
    pub id: String,
    pub electronic_sequence_number: Option<String>,
    pub legal_sequence_number: Option<String>,
    pub created_at: Option<String>,
    /// `Acct/Id/IBAN` or `Acct/Id/Othr/Id`.
    pub account: String,
    pub account_currency: Option<String>,
}

/// `NtryDtls/Btch`: a batch-booked entry's batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub message_id: Option<String>,
    pub payment_information_id: Option<String>,
    pub number_of_transactions: Option<u64>,
    pub total_amount: Option<ReportedAmount>,
    pub credit_debit: Option<CreditDebit>,
}

/// `TxDtls/Refs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct References {
    pub message_id: Option<String>,
    pub account_servicer_reference: Option<String>,
    pub payment_information_id: Option<String>,
    pub instruction_id: Option<String>,
    pub end_to_end_id: Option<String>,
    pub uetr: Option<String>,
    pub transaction_id: Option<String>,
    pub mandate_id: Option<String>,
}

/// `TxDtls/RtrInf`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReturnInformation {
    pub original_bank_transaction_code: Option<BankTransactionCode>,
    pub originator: Option<String>,
    pub reason: Option<String>,
    pub proprietary_reason: Option<String>,
    pub additional_info: Vec<String>,
}

/// `NtryDtls/TxDtls`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionDetails {
    pub references: References,
    /// `Amt` (2019) or `AmtDtls/TxAmt/Amt` (2009).
    pub amount: Option<ReportedAmount>,
    /// `AmtDtls/InstdAmt/Amt`: the amount as instructed (e.g. before currency exchange).
    pub instructed_amount: Option<ReportedAmount>,
    pub credit_debit: Option<CreditDebit>,
    pub bank_transaction_code: Option<BankTransactionCode>,
    pub return_information: Option<ReturnInformation>,
    /// `RmtInf/Ustrd` lines and structured references (`Strd/CdtrRefInf/Ref`).
    pub remittance: Vec<String>,
}

/// One `Ntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// `Id` of the statement/notification it belongs to.
    pub statement_id: String,
    pub reference: Option<String>,
    pub amount: ReportedAmount,
    pub credit_debit: CreditDebit,
    pub reversal: bool,
    pub status: EntryStatus,
    pub booking_date: Option<Date>,
    pub value_date: Option<Date>,
    pub account_servicer_reference: Option<String>,
    pub bank_transaction_code: Option<BankTransactionCode>,
    pub batches: Vec<Batch>,
    pub transactions: Vec<TransactionDetails>,
}

/// One item of a streamed camt.05x, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum StatementItem {
    Statement(StatementHeader),
    Entry(Entry),
}

/// A whole camt.05x, for callers that want it in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountReport {
    pub message: String,
    pub message_id: String,
    pub statements: Vec<StatementHeader>,
    pub entries: Vec<Entry>,
}

/// Either inbound message, identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    PaymentStatus(MessageName),
    Account(MessageName),
}
