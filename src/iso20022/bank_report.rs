//! Writers for what a bank sends back: pain.002.001.10 payment status reports,
//! camt.054.001.08 debit/credit notifications and camt.053.001.08 statements.
//!
//! The writers take the same types the inbound readers produce ([`super::report`]), so
//! what [`StatusReportWriter`] writes, [`super::pain002`] reads back as the same items,
//! and what [`AccountReportWriter`] writes, [`super::camt`] reads back as the same
//! entries. They stream through `xml.rs` (quick-xml does all escaping): one group, block,
//! transaction, statement or entry at a time, nothing of the document held in memory.
//!
//! Every value is checked against its XSD type before it is written (identifiers 1 to
//! 35 characters, codes 1 to 4, amounts non-negative with at most 5 decimals and 18
//! digits, date-times `YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]`, IBAN and BIC shapes, UETRs,
//! elements the schema requires), so a written file validates against the official XSD;
//! a value that does not fit is a [`ReportWriteError::Invalid`] naming the element, what
//! was expected and what was given, and nothing more is written.

use std::io::{self, Write};

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::initiation::AccountId;
use super::report::{
    BankTransactionCode, Batch, CreditDebit, Entry, EntryStatus, GroupStatus,
    PaymentInformationStatus, ReportedAmount, ReturnInformation, StatusReason, TransactionDetails,
    TransactionStatus,
};
use super::xml::Xml;

/// The status report message the writer produces.
pub const STATUS_REPORT_MESSAGE: &str = "pain.002.001.10";

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportWriteError {
    #[error("{element}: expected {expected}, got {actual}")]
    Invalid {
        element: String,
        expected: String,
        actual: String,
    },
    #[error("writing the report failed: {0}")]
    Io(#[from] io::Error),
}

fn invalid(
    element: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> ReportWriteError {
    ReportWriteError::Invalid {
        element: element.into(),
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// `ISODateTime` text for `CreDtTm` and friends: UTC, whole seconds, `Z`.
pub fn date_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

// ---------------------------------------------------------------------------------------
// pain.002

/// Streams one pain.002.001.10: [`Self::start`] writes the group header and the original
/// group's status, [`Self::block`] opens an `OrgnlPmtInfAndSts`, [`Self::transaction`]
/// adds a `TxInfAndSts` to the open block, [`Self::finish`] closes the document.
pub struct StatusReportWriter<W: Write> {
    x: Xml<W>,
    /// `OrgnlPmtInfId` of the open block.
    block: Option<String>,
}

impl<W: Write> StatusReportWriter<W> {
    /// Writes `GrpHdr` (`group.message_id`, `group.created_at`) and
    /// `OrgnlGrpInfAndSts` (original message id and name, counts, `GrpSts`, reasons).
    pub fn start(out: W, indent: bool, group: &GroupStatus) -> Result<Self, ReportWriteError> {
        max35("GrpHdr/MsgId", &group.message_id)?;
        let created_at = group
            .created_at
            .as_deref()
            .ok_or_else(|| invalid("GrpHdr/CreDtTm", "a date-time", "none"))?;
        iso_date_time("GrpHdr/CreDtTm", created_at)?;
        max35("OrgnlGrpInfAndSts/OrgnlMsgId", &group.original_message_id)?;
        let name = group.original_message_name.as_deref().ok_or_else(|| {
            invalid(
                "OrgnlGrpInfAndSts/OrgnlMsgNmId",
                "the original message name",
                "none",
            )
        })?;
        max35("OrgnlGrpInfAndSts/OrgnlMsgNmId", name)?;
        if let Some(sum) = &group.original_control_sum {
            control_sum("OrgnlGrpInfAndSts/OrgnlCtrlSum", sum)?;
        }
        if let Some(count) = group.original_number_of_transactions {
            max15_numeric("OrgnlGrpInfAndSts/OrgnlNbOfTxs", count)?;
        }
        if let Some(status) = &group.status {
            code4("OrgnlGrpInfAndSts/GrpSts", status)?;
        }
        check_reasons("OrgnlGrpInfAndSts/StsRsnInf", &group.reasons)?;

        let mut x = Xml::new(out, indent);
        x.declaration()?;
        x.start_with("Document", &[("xmlns", &namespace(STATUS_REPORT_MESSAGE))])?;
        x.start("CstmrPmtStsRpt")?;
        x.start("GrpHdr")?;
        x.text("MsgId", &group.message_id)?;
        x.text("CreDtTm", created_at)?;
        x.end("GrpHdr")?;
        x.start("OrgnlGrpInfAndSts")?;
        x.text("OrgnlMsgId", &group.original_message_id)?;
        x.text("OrgnlMsgNmId", name)?;
        if let Some(count) = group.original_number_of_transactions {
            x.display_with("OrgnlNbOfTxs", &[], count)?;
        }
        if let Some(sum) = &group.original_control_sum {
            x.display_with("OrgnlCtrlSum", &[], sum)?;
        }
        if let Some(status) = &group.status {
            x.text("GrpSts", status)?;
        }
        write_reasons(&mut x, &group.reasons)?;
        x.end("OrgnlGrpInfAndSts")?;
        Ok(Self { x, block: None })
    }

    /// Opens an `OrgnlPmtInfAndSts` (closing the previous one) with its status and reasons.
    pub fn block(&mut self, block: &PaymentInformationStatus) -> Result<(), ReportWriteError> {
        let element = "OrgnlPmtInfAndSts";
        max35(
            &format!("{element}/OrgnlPmtInfId"),
            &block.original_payment_information_id,
        )?;
        if let Some(count) = block.original_number_of_transactions {
            max15_numeric(&format!("{element}/OrgnlNbOfTxs"), count)?;
        }
        if let Some(sum) = &block.original_control_sum {
            control_sum(&format!("{element}/OrgnlCtrlSum"), sum)?;
        }
        if let Some(status) = &block.status {
            code4(&format!("{element}/PmtInfSts"), status)?;
        }
        check_reasons(&format!("{element}/StsRsnInf"), &block.reasons)?;
        self.close_block()?;
        let x = &mut self.x;
        x.start(element)?;
        x.text("OrgnlPmtInfId", &block.original_payment_information_id)?;
        if let Some(count) = block.original_number_of_transactions {
            x.display_with("OrgnlNbOfTxs", &[], count)?;
        }
        if let Some(sum) = &block.original_control_sum {
            x.display_with("OrgnlCtrlSum", &[], sum)?;
        }
        if let Some(status) = &block.status {
            x.text("PmtInfSts", status)?;
        }
        write_reasons(x, &block.reasons)?;
        self.block = Some(block.original_payment_information_id.clone());
        Ok(())
    }

    /// Adds a `TxInfAndSts` to the open block. Its `original_payment_information_id` must
    /// be the block's (or empty).
    pub fn transaction(&mut self, tx: &TransactionStatus) -> Result<(), ReportWriteError> {
        let element = "TxInfAndSts";
        let Some(block) = &self.block else {
            return Err(invalid(
                element,
                "an OrgnlPmtInfAndSts opened before it",
                "none",
            ));
        };
        if !tx.original_payment_information_id.is_empty()
            && tx.original_payment_information_id != *block
        {
            return Err(invalid(
                element,
                format!("a transaction of block {block}"),
                format!("one of block {}", tx.original_payment_information_id),
            ));
        }
        let ids = [
            ("StsId", &tx.status_id),
            ("OrgnlInstrId", &tx.original_instruction_id),
            ("OrgnlEndToEndId", &tx.original_end_to_end_id),
            ("AcctSvcrRef", &tx.account_servicer_reference),
        ];
        for (name, value) in ids {
            if let Some(value) = value {
                max35(&format!("{element}/{name}"), value)?;
            }
        }
        if let Some(uetr) = &tx.original_uetr {
            uuid_v4(&format!("{element}/OrgnlUETR"), uetr)?;
        }
        if let Some(status) = &tx.status {
            code4(&format!("{element}/TxSts"), status)?;
        }
        check_reasons(&format!("{element}/StsRsnInf"), &tx.reasons)?;
        if let Some(at) = &tx.acceptance_date_time {
            iso_date_time(&format!("{element}/AccptncDtTm"), at)?;
        }
        if let Some(amount) = &tx.original_amount {
            check_amount(&format!("{element}/OrgnlTxRef/Amt/InstdAmt"), amount)?;
        }
        let x = &mut self.x;
        x.start(element)?;
        optional_text(x, "StsId", &tx.status_id)?;
        optional_text(x, "OrgnlInstrId", &tx.original_instruction_id)?;
        optional_text(x, "OrgnlEndToEndId", &tx.original_end_to_end_id)?;
        optional_text(x, "OrgnlUETR", &tx.original_uetr)?;
        optional_text(x, "TxSts", &tx.status)?;
        write_reasons(x, &tx.reasons)?;
        optional_text(x, "AccptncDtTm", &tx.acceptance_date_time)?;
        optional_text(x, "AcctSvcrRef", &tx.account_servicer_reference)?;
        if let Some(amount) = &tx.original_amount {
            x.start("OrgnlTxRef")?;
            x.start("Amt")?;
            write_amount(x, "InstdAmt", amount)?;
            x.end("Amt")?;
            x.end("OrgnlTxRef")?;
        }
        x.end(element)?;
        Ok(())
    }

    fn close_block(&mut self) -> io::Result<()> {
        if self.block.take().is_some() {
            self.x.end("OrgnlPmtInfAndSts")?;
        }
        Ok(())
    }

    /// Closes the open block and the document; returns the writer.
    pub fn finish(mut self) -> Result<W, ReportWriteError> {
        self.close_block()?;
        self.x.end("CstmrPmtStsRpt")?;
        self.x.end("Document")?;
        Ok(self.x.finish()?)
    }
}

fn check_reasons(element: &str, reasons: &[StatusReason]) -> Result<(), ReportWriteError> {
    reasons
        .iter()
        .try_for_each(|reason| check_reason(element, &Reason::of_status(reason)))
}

/// The reason part shared by `StsRsnInf` (pain.002) and `RtrInf` (camt): originator,
/// `Rsn/Cd` or `Rsn/Prtry`, additional information.
struct Reason<'a> {
    originator: Option<&'a str>,
    code: Option<&'a str>,
    proprietary: Option<&'a str>,
    additional_info: &'a [String],
}

impl<'a> Reason<'a> {
    fn of_status(reason: &'a StatusReason) -> Self {
        Self {
            originator: reason.originator.as_deref(),
            code: reason.code.as_deref(),
            proprietary: reason.proprietary.as_deref(),
            additional_info: &reason.additional_info,
        }
    }

    fn of_return(info: &'a ReturnInformation) -> Self {
        Self {
            originator: info.originator.as_deref(),
            code: info.reason.as_deref(),
            proprietary: info.proprietary_reason.as_deref(),
            additional_info: &info.additional_info,
        }
    }
}

fn check_reason(element: &str, reason: &Reason<'_>) -> Result<(), ReportWriteError> {
    if let Some(originator) = reason.originator {
        max_text(&format!("{element}/Orgtr/Nm"), originator, 140)?;
    }
    match (reason.code, reason.proprietary) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                format!("{element}/Rsn"),
                "either Cd or Prtry",
                "both",
            ));
        }
        (Some(code), None) => code4(&format!("{element}/Rsn/Cd"), code)?,
        (None, Some(proprietary)) => max35(&format!("{element}/Rsn/Prtry"), proprietary)?,
        (None, None) => {}
    }
    for info in reason.additional_info {
        max_text(&format!("{element}/AddtlInf"), info, 105)?;
    }
    Ok(())
}

/// `Orgtr`, `Rsn` and `AddtlInf` of a [`Reason`], inside the caller's element.
fn write_reason<W: Write>(x: &mut Xml<W>, reason: &Reason<'_>) -> io::Result<()> {
    if let Some(originator) = reason.originator {
        x.start("Orgtr")?;
        x.text("Nm", originator)?;
        x.end("Orgtr")?;
    }
    if reason.code.is_some() || reason.proprietary.is_some() {
        x.start("Rsn")?;
        if let Some(code) = reason.code {
            x.text("Cd", code)?;
        }
        if let Some(proprietary) = reason.proprietary {
            x.text("Prtry", proprietary)?;
        }
        x.end("Rsn")?;
    }
    for info in reason.additional_info {
        x.text("AddtlInf", info)?;
    }
    Ok(())
}

fn write_reasons<W: Write>(x: &mut Xml<W>, reasons: &[StatusReason]) -> io::Result<()> {
    for reason in reasons {
        x.start("StsRsnInf")?;
        write_reason(x, &Reason::of_status(reason))?;
        x.end("StsRsnInf")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// camt.053 / camt.054

/// The account messages the writer produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountMessage {
    /// camt.053.001.08, `BkToCstmrStmt/Stmt`: end-of-day statement, with balances.
    Statement,
    /// camt.054.001.08, `BkToCstmrDbtCdtNtfctn/Ntfctn`: debit/credit notification.
    Notification,
}

impl AccountMessage {
    pub fn name(self) -> &'static str {
        match self {
            AccountMessage::Statement => "camt.053.001.08",
            AccountMessage::Notification => "camt.054.001.08",
        }
    }

    fn root(self) -> &'static str {
        match self {
            AccountMessage::Statement => "BkToCstmrStmt",
            AccountMessage::Notification => "BkToCstmrDbtCdtNtfctn",
        }
    }

    fn section(self) -> &'static str {
        match self {
            AccountMessage::Statement => "Stmt",
            AccountMessage::Notification => "Ntfctn",
        }
    }
}

/// A balance of a statement (`Bal`): the amount is its absolute value, the sign is
/// `credit_debit` (`CRDT` in favour of the account holder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// `Tp/CdOrPrtry/Cd`, e.g. `OPBD` (opening booked), `CLBD` (closing booked).
    pub code: String,
    pub amount: ReportedAmount,
    pub credit_debit: CreditDebit,
    pub date: Date,
}

/// One `Stmt` (camt.053) or `Ntfctn` (camt.054): its header, account and balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSection {
    pub id: String,
    pub electronic_sequence_number: Option<u64>,
    pub legal_sequence_number: Option<u64>,
    /// `CreDtTm` (see [`date_time`]).
    pub created_at: Option<String>,
    /// `FrToDt/FrDtTm` and `ToDtTm`.
    pub from_to: Option<(String, String)>,
    pub account: AccountId,
    pub currency: Option<String>,
    /// `Acct/Ownr/Nm`.
    pub owner_name: Option<String>,
    /// `Acct/Svcr/FinInstnId/BICFI`.
    pub servicer_bic: Option<String>,
    /// Statements need at least one; notifications have none.
    pub balances: Vec<Balance>,
}

/// Streams one camt.053.001.08 or camt.054.001.08: [`Self::start`] writes the group
/// header, [`Self::section`] opens a `Stmt`/`Ntfctn` (closing the previous one),
/// [`Self::entry`] adds an `Ntry` to it, [`Self::finish`] closes the document (at least
/// one section is required).
pub struct AccountReportWriter<W: Write> {
    x: Xml<W>,
    message: AccountMessage,
    section_open: bool,
    sections: u64,
}

impl<W: Write> AccountReportWriter<W> {
    pub fn start(
        out: W,
        indent: bool,
        message: AccountMessage,
        message_id: &str,
        created_at: &str,
    ) -> Result<Self, ReportWriteError> {
        max35("GrpHdr/MsgId", message_id)?;
        iso_date_time("GrpHdr/CreDtTm", created_at)?;
        let mut x = Xml::new(out, indent);
        x.declaration()?;
        x.start_with("Document", &[("xmlns", &namespace(message.name()))])?;
        x.start(message.root())?;
        x.start("GrpHdr")?;
        x.text("MsgId", message_id)?;
        x.text("CreDtTm", created_at)?;
        x.end("GrpHdr")?;
        Ok(Self {
            x,
            message,
            section_open: false,
            sections: 0,
        })
    }

    /// Opens a `Stmt`/`Ntfctn` with its header, account and (statements) balances.
    pub fn section(&mut self, section: &AccountSection) -> Result<(), ReportWriteError> {
        let element = self.message.section();
        max35(&format!("{element}/Id"), &section.id)?;
        for (name, number) in [
            ("ElctrncSeqNb", section.electronic_sequence_number),
            ("LglSeqNb", section.legal_sequence_number),
        ] {
            if let Some(number) = number {
                max_digits(&format!("{element}/{name}"), number, 18)?;
            }
        }
        if let Some(at) = &section.created_at {
            iso_date_time(&format!("{element}/CreDtTm"), at)?;
        }
        if let Some((from, to)) = &section.from_to {
            iso_date_time(&format!("{element}/FrToDt/FrDtTm"), from)?;
            iso_date_time(&format!("{element}/FrToDt/ToDtTm"), to)?;
        }
        check_account(&format!("{element}/Acct/Id"), &section.account)?;
        if let Some(currency) = &section.currency {
            currency_code(&format!("{element}/Acct/Ccy"), currency)?;
        }
        if let Some(name) = &section.owner_name {
            max_text(&format!("{element}/Acct/Ownr/Nm"), name, 140)?;
        }
        if let Some(bic) = &section.servicer_bic {
            bic_shape(&format!("{element}/Acct/Svcr/FinInstnId/BICFI"), bic)?;
        }
        match self.message {
            AccountMessage::Statement if section.balances.is_empty() => {
                return Err(invalid(
                    format!("{element}/Bal"),
                    "at least one balance",
                    "none",
                ));
            }
            AccountMessage::Notification if !section.balances.is_empty() => {
                return Err(invalid(
                    format!("{element}/Bal"),
                    "no balances (a notification has none)",
                    format!("{} balances", section.balances.len()),
                ));
            }
            _ => {}
        }
        for balance in &section.balances {
            code4(&format!("{element}/Bal/Tp/CdOrPrtry/Cd"), &balance.code)?;
            check_amount(&format!("{element}/Bal/Amt"), &balance.amount)?;
        }

        self.close_section()?;
        let x = &mut self.x;
        x.start(element)?;
        x.text("Id", &section.id)?;
        if let Some(number) = section.electronic_sequence_number {
            x.display_with("ElctrncSeqNb", &[], number)?;
        }
        if let Some(number) = section.legal_sequence_number {
            x.display_with("LglSeqNb", &[], number)?;
        }
        optional_text(x, "CreDtTm", &section.created_at)?;
        if let Some((from, to)) = &section.from_to {
            x.start("FrToDt")?;
            x.text("FrDtTm", from)?;
            x.text("ToDtTm", to)?;
            x.end("FrToDt")?;
        }
        x.start("Acct")?;
        write_account_id(x, &section.account)?;
        optional_text(x, "Ccy", &section.currency)?;
        if let Some(name) = &section.owner_name {
            x.start("Ownr")?;
            x.text("Nm", name)?;
            x.end("Ownr")?;
        }
        if let Some(bic) = &section.servicer_bic {
            x.start("Svcr")?;
            x.start("FinInstnId")?;
            x.text("BICFI", bic)?;
            x.end("FinInstnId")?;
            x.end("Svcr")?;
        }
        x.end("Acct")?;
        for balance in &section.balances {
            x.start("Bal")?;
            x.start("Tp")?;
            x.start("CdOrPrtry")?;
            x.text("Cd", &balance.code)?;
            x.end("CdOrPrtry")?;
            x.end("Tp")?;
            write_amount(x, "Amt", &balance.amount)?;
            x.text("CdtDbtInd", credit_debit(balance.credit_debit))?;
            x.start("Dt")?;
            x.display_with("Dt", &[], balance.date)?;
            x.end("Dt")?;
            x.end("Bal")?;
        }
        self.section_open = true;
        self.sections += 1;
        Ok(())
    }

    /// Adds an `Ntry` to the open section. `entry.statement_id` is not written (the
    /// section's `Id` is what a reader reports).
    pub fn entry(&mut self, entry: &Entry) -> Result<(), ReportWriteError> {
        let element = "Ntry";
        if !self.section_open {
            return Err(invalid(
                element,
                format!("a {} opened before it", self.message.section()),
                "none",
            ));
        }
        check_entry(entry)?;
        let x = &mut self.x;
        x.start(element)?;
        optional_text(x, "NtryRef", &entry.reference)?;
        write_amount(x, "Amt", &entry.amount)?;
        x.text("CdtDbtInd", credit_debit(entry.credit_debit))?;
        if entry.reversal {
            x.text("RvslInd", "true")?;
        }
        x.start("Sts")?;
        x.text("Cd", entry_status(&entry.status))?;
        x.end("Sts")?;
        for (name, date) in [("BookgDt", entry.booking_date), ("ValDt", entry.value_date)] {
            if let Some(date) = date {
                x.start(name)?;
                x.display_with("Dt", &[], date)?;
                x.end(name)?;
            }
        }
        optional_text(x, "AcctSvcrRef", &entry.account_servicer_reference)?;
        // `BkTxCd` is mandatory in the 2019 versions; both of its parts are optional.
        write_bank_transaction_code(x, "BkTxCd", entry.bank_transaction_code.as_ref())?;
        write_entry_details(x, &entry.batches, &entry.transactions)?;
        x.end(element)?;
        Ok(())
    }

    fn close_section(&mut self) -> io::Result<()> {
        if self.section_open {
            self.section_open = false;
            self.x.end(self.message.section())?;
        }
        Ok(())
    }

    /// Closes the open section and the document; returns the writer.
    pub fn finish(mut self) -> Result<W, ReportWriteError> {
        if self.sections == 0 {
            return Err(invalid(
                self.message.root(),
                format!("at least one {}", self.message.section()),
                "none",
            ));
        }
        self.close_section()?;
        self.x.end(self.message.root())?;
        self.x.end("Document")?;
        Ok(self.x.finish()?)
    }
}

fn check_entry(entry: &Entry) -> Result<(), ReportWriteError> {
    if let Some(reference) = &entry.reference {
        max35("Ntry/NtryRef", reference)?;
    }
    check_amount("Ntry/Amt", &entry.amount)?;
    code4("Ntry/Sts/Cd", entry_status(&entry.status))?;
    if let Some(reference) = &entry.account_servicer_reference {
        max35("Ntry/AcctSvcrRef", reference)?;
    }
    if let Some(code) = &entry.bank_transaction_code {
        check_bank_transaction_code("Ntry/BkTxCd", code)?;
    }
    for batch in &entry.batches {
        check_batch(batch)?;
    }
    for tx in &entry.transactions {
        check_transaction(tx)?;
    }
    Ok(())
}

fn check_batch(batch: &Batch) -> Result<(), ReportWriteError> {
    let element = "Ntry/NtryDtls/Btch";
    for (name, value) in [
        ("MsgId", &batch.message_id),
        ("PmtInfId", &batch.payment_information_id),
    ] {
        if let Some(value) = value {
            max35(&format!("{element}/{name}"), value)?;
        }
    }
    if let Some(count) = batch.number_of_transactions {
        max15_numeric(&format!("{element}/NbOfTxs"), count)?;
    }
    if let Some(total) = &batch.total_amount {
        check_amount(&format!("{element}/TtlAmt"), total)?;
    }
    Ok(())
}

fn check_transaction(tx: &TransactionDetails) -> Result<(), ReportWriteError> {
    let element = "Ntry/NtryDtls/TxDtls";
    let refs = &tx.references;
    for (name, value) in [
        ("MsgId", &refs.message_id),
        ("AcctSvcrRef", &refs.account_servicer_reference),
        ("PmtInfId", &refs.payment_information_id),
        ("InstrId", &refs.instruction_id),
        ("EndToEndId", &refs.end_to_end_id),
        ("TxId", &refs.transaction_id),
        ("MndtId", &refs.mandate_id),
    ] {
        if let Some(value) = value {
            max35(&format!("{element}/Refs/{name}"), value)?;
        }
    }
    if let Some(uetr) = &refs.uetr {
        uuid_v4(&format!("{element}/Refs/UETR"), uetr)?;
    }
    if let Some(amount) = &tx.amount {
        check_amount(&format!("{element}/Amt"), amount)?;
    }
    if let Some(amount) = &tx.instructed_amount {
        check_amount(&format!("{element}/AmtDtls/InstdAmt/Amt"), amount)?;
    }
    if let Some(code) = &tx.bank_transaction_code {
        check_bank_transaction_code(&format!("{element}/BkTxCd"), code)?;
    }
    for line in &tx.remittance {
        max_text(&format!("{element}/RmtInf/Ustrd"), line, 140)?;
    }
    if let Some(info) = &tx.return_information {
        let element = format!("{element}/RtrInf");
        if let Some(code) = &info.original_bank_transaction_code {
            check_bank_transaction_code(&format!("{element}/OrgnlBkTxCd"), code)?;
        }
        check_reason(&element, &Reason::of_return(info))?;
    }
    Ok(())
}

fn check_bank_transaction_code(
    element: &str,
    code: &BankTransactionCode,
) -> Result<(), ReportWriteError> {
    let parts = [&code.domain, &code.family, &code.sub_family];
    let given = parts.iter().filter(|p| p.is_some()).count();
    if given != 0 && given != 3 {
        return Err(invalid(
            format!("{element}/Domn"),
            "domain, family and sub-family together",
            code.iso().unwrap_or_else(|| "a partial code".to_owned()),
        ));
    }
    for (name, part) in ["Domn/Cd", "Domn/Fmly/Cd", "Domn/Fmly/SubFmlyCd"]
        .iter()
        .zip(parts)
    {
        if let Some(part) = part {
            code4(&format!("{element}/{name}"), part)?;
        }
    }
    if let Some(proprietary) = &code.proprietary {
        max35(&format!("{element}/Prtry/Cd"), proprietary)?;
    }
    Ok(())
}

fn write_bank_transaction_code<W: Write>(
    x: &mut Xml<W>,
    name: &'static str,
    code: Option<&BankTransactionCode>,
) -> io::Result<()> {
    x.start(name)?;
    if let Some(code) = code {
        if let (Some(domain), Some(family), Some(sub_family)) =
            (&code.domain, &code.family, &code.sub_family)
        {
            x.start("Domn")?;
            x.text("Cd", domain)?;
            x.start("Fmly")?;
            x.text("Cd", family)?;
            x.text("SubFmlyCd", sub_family)?;
            x.end("Fmly")?;
            x.end("Domn")?;
        }
        if let Some(proprietary) = &code.proprietary {
            x.start("Prtry")?;
            x.text("Cd", proprietary)?;
            x.end("Prtry")?;
        }
    }
    x.end(name)
}

/// `NtryDtls`: one per batch (the schema allows one `Btch` in each); the transactions go
/// in the last one.
fn write_entry_details<W: Write>(
    x: &mut Xml<W>,
    batches: &[Batch],
    transactions: &[TransactionDetails],
) -> io::Result<()> {
    if batches.is_empty() && transactions.is_empty() {
        return Ok(());
    }
    let groups = batches.len().max(1);
    for index in 0..groups {
        x.start("NtryDtls")?;
        if let Some(batch) = batches.get(index) {
            write_batch(x, batch)?;
        }
        if index + 1 == groups {
            for tx in transactions {
                write_transaction(x, tx)?;
            }
        }
        x.end("NtryDtls")?;
    }
    Ok(())
}

fn write_batch<W: Write>(x: &mut Xml<W>, batch: &Batch) -> io::Result<()> {
    x.start("Btch")?;
    optional_text(x, "MsgId", &batch.message_id)?;
    optional_text(x, "PmtInfId", &batch.payment_information_id)?;
    if let Some(count) = batch.number_of_transactions {
        x.display_with("NbOfTxs", &[], count)?;
    }
    if let Some(total) = &batch.total_amount {
        write_amount(x, "TtlAmt", total)?;
    }
    if let Some(direction) = batch.credit_debit {
        x.text("CdtDbtInd", credit_debit(direction))?;
    }
    x.end("Btch")
}

fn write_transaction<W: Write>(x: &mut Xml<W>, tx: &TransactionDetails) -> io::Result<()> {
    x.start("TxDtls")?;
    let refs = &tx.references;
    let fields = [
        ("MsgId", &refs.message_id),
        ("AcctSvcrRef", &refs.account_servicer_reference),
        ("PmtInfId", &refs.payment_information_id),
        ("InstrId", &refs.instruction_id),
        ("EndToEndId", &refs.end_to_end_id),
        ("UETR", &refs.uetr),
        ("TxId", &refs.transaction_id),
        ("MndtId", &refs.mandate_id),
    ];
    if fields.iter().any(|(_, value)| value.is_some()) {
        x.start("Refs")?;
        for (name, value) in fields {
            optional_text(x, name, value)?;
        }
        x.end("Refs")?;
    }
    if let Some(amount) = &tx.amount {
        write_amount(x, "Amt", amount)?;
    }
    if let Some(direction) = tx.credit_debit {
        x.text("CdtDbtInd", credit_debit(direction))?;
    }
    if let Some(amount) = &tx.instructed_amount {
        x.start("AmtDtls")?;
        x.start("InstdAmt")?;
        write_amount(x, "Amt", amount)?;
        x.end("InstdAmt")?;
        x.end("AmtDtls")?;
    }
    if let Some(code) = &tx.bank_transaction_code {
        write_bank_transaction_code(x, "BkTxCd", Some(code))?;
    }
    if !tx.remittance.is_empty() {
        x.start("RmtInf")?;
        for line in &tx.remittance {
            x.text("Ustrd", line)?;
        }
        x.end("RmtInf")?;
    }
    if let Some(info) = &tx.return_information {
        write_return(x, info)?;
    }
    x.end("TxDtls")
}

fn write_return<W: Write>(x: &mut Xml<W>, info: &ReturnInformation) -> io::Result<()> {
    x.start("RtrInf")?;
    if let Some(code) = &info.original_bank_transaction_code {
        write_bank_transaction_code(x, "OrgnlBkTxCd", Some(code))?;
    }
    write_reason(x, &Reason::of_return(info))?;
    x.end("RtrInf")
}

/// Checks that `account` fits `Acct/Id` (`element` names it in the error): an IBAN of
/// the `IBAN2007Identifier` shape, or an `Othr/Id` of 1 to 34 characters.
pub fn check_account(element: &str, account: &AccountId) -> Result<(), ReportWriteError> {
    match account {
        AccountId::Iban(iban) => {
            let b = iban.as_bytes();
            let ok = (5..=34).contains(&b.len())
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..4].iter().all(u8::is_ascii_digit)
                && b[4..].iter().all(u8::is_ascii_alphanumeric);
            if !ok {
                return Err(invalid(
                    format!("{element}/IBAN"),
                    "an IBAN: 2 letters, 2 digits, 1 to 30 letters or digits",
                    iban.clone(),
                ));
            }
            Ok(())
        }
        AccountId::Other(id) => max_text(&format!("{element}/Othr/Id"), id, 34),
    }
}

fn write_account_id<W: Write>(x: &mut Xml<W>, account: &AccountId) -> io::Result<()> {
    x.start("Id")?;
    match account {
        AccountId::Iban(iban) => x.text("IBAN", iban)?,
        AccountId::Other(id) => {
            x.start("Othr")?;
            x.text("Id", id)?;
            x.end("Othr")?;
        }
    }
    x.end("Id")
}

// ---------------------------------------------------------------------------------------
// Shared pieces.

fn namespace(message: &str) -> String {
    format!("urn:iso:std:iso:20022:tech:xsd:{message}")
}

fn optional_text<W: Write>(
    x: &mut Xml<W>,
    name: &'static str,
    value: &Option<String>,
) -> io::Result<()> {
    match value {
        Some(value) => x.text(name, value),
        None => Ok(()),
    }
}

fn write_amount<W: Write>(
    x: &mut Xml<W>,
    name: &'static str,
    amount: &ReportedAmount,
) -> io::Result<()> {
    x.display_with(name, &[("Ccy", &amount.currency)], amount.value)
}

fn credit_debit(direction: CreditDebit) -> &'static str {
    match direction {
        CreditDebit::Credit => "CRDT",
        CreditDebit::Debit => "DBIT",
    }
}

fn entry_status(status: &EntryStatus) -> &str {
    match status {
        EntryStatus::Booked => "BOOK",
        EntryStatus::Pending => "PDNG",
        EntryStatus::Information => "INFO",
        EntryStatus::Other(code) => code,
    }
}

/// `Max35Text`: 1 to 35 characters.
fn max35(element: &str, value: &str) -> Result<(), ReportWriteError> {
    max_text(element, value, 35)
}

fn max_text(element: &str, value: &str, max: usize) -> Result<(), ReportWriteError> {
    let chars = value.chars().count();
    if chars == 0 || chars > max {
        return Err(invalid(
            element,
            format!("1 to {max} characters"),
            format!("{chars} characters ({})", shorten(value)),
        ));
    }
    Ok(())
}

/// External codes (`Max4Text`-like): 1 to 4 characters.
fn code4(element: &str, value: &str) -> Result<(), ReportWriteError> {
    let chars = value.chars().count();
    if chars == 0 || chars > 4 {
        return Err(invalid(
            element,
            "a code of 1 to 4 characters",
            shorten(value),
        ));
    }
    Ok(())
}

fn max15_numeric(element: &str, value: u64) -> Result<(), ReportWriteError> {
    max_digits(element, value, 15)
}

fn max_digits(element: &str, value: u64, digits: u32) -> Result<(), ReportWriteError> {
    if value >= 10_u64.pow(digits) {
        return Err(invalid(
            element,
            format!("at most {digits} digits"),
            value.to_string(),
        ));
    }
    Ok(())
}

/// `DecimalNumber`: at most 18 digits, at most 17 decimals.
fn control_sum(element: &str, value: &Decimal) -> Result<(), ReportWriteError> {
    decimal_fits(element, value, 17, "a decimal number of at most 18 digits")
}

/// `ActiveOrHistoricCurrencyAndAmount`: non-negative, at most 18 digits, 5 decimals.
fn check_amount(element: &str, amount: &ReportedAmount) -> Result<(), ReportWriteError> {
    currency_code(&format!("{element}/@Ccy"), &amount.currency)?;
    decimal_fits(
        element,
        &amount.value,
        5,
        "an amount of at most 18 digits with at most 5 decimals",
    )
}

fn decimal_fits(
    element: &str,
    value: &Decimal,
    max_fraction: u32,
    expected: &str,
) -> Result<(), ReportWriteError> {
    let scale = value.scale();
    let digits = value.mantissa().unsigned_abs().to_string().len();
    // Digits before the point, counting a leading zero of values below one as none.
    let whole = digits.saturating_sub(scale as usize);
    let total = whole + scale as usize;
    if value.is_sign_negative() || scale > max_fraction || total > 18 {
        return Err(invalid(element, expected, value.to_string()));
    }
    Ok(())
}

fn currency_code(element: &str, value: &str) -> Result<(), ReportWriteError> {
    if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            element,
            "a currency code of 3 upper-case letters",
            shorten(value),
        ));
    }
    Ok(())
}

/// `BICFIDec2014Identifier`.
fn bic_shape(element: &str, value: &str) -> Result<(), ReportWriteError> {
    let b = value.as_bytes();
    let upper_alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let ok = (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(upper_alnum)
        && b[4..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(upper_alnum);
    if !ok {
        return Err(invalid(
            element,
            "a BIC of 8 or 11 characters",
            shorten(value),
        ));
    }
    Ok(())
}

/// `UUIDv4Identifier`: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, lower-case hex.
fn uuid_v4(element: &str, value: &str) -> Result<(), ReportWriteError> {
    let b = value.as_bytes();
    let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => hex(c),
        });
    if !ok {
        return Err(invalid(
            element,
            "a version 4 UUID in lower case",
            shorten(value),
        ));
    }
    Ok(())
}

/// `ISODateTime`: `YYYY-MM-DDThh:mm:ss`, optional fraction, optional `Z` or `±hh:mm`.
fn iso_date_time(element: &str, value: &str) -> Result<(), ReportWriteError> {
    let fail = || {
        invalid(
            element,
            "a date-time YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]",
            shorten(value),
        )
    };
    let head = value.get(..19).ok_or_else(fail)?;
    head.parse::<jiff::civil::DateTime>().map_err(|_| fail())?;
    let b = head.as_bytes();
    if b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return Err(fail());
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail());
        }
        rest = &fraction[digits..];
    }
    let zone_ok = match rest.as_bytes() {
        [] | [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    if !zone_ok {
        return Err(fail());
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short}...")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso20022::camt::read_account_report;
    use crate::iso20022::pain002::read_status_report;
    use crate::iso20022::report::{References, StatementItem};

    fn eur(value: &str) -> ReportedAmount {
        ReportedAmount {
            value: value.parse().unwrap(),
            currency: "EUR".to_owned(),
        }
    }

    fn reason(code: &str) -> StatusReason {
        StatusReason {
            code: Some(code.to_owned()),
            additional_info: vec!["Account <closed> & gone".to_owned()],
            ..StatusReason::default()
        }
    }

    fn group() -> GroupStatus {
        GroupStatus {
            message_id: "STS-1".to_owned(),
            created_at: Some("2026-11-21T10:00:00Z".to_owned()),
            original_message_id: "MSG-1".to_owned(),
            original_message_name: Some("pain.001.001.09".to_owned()),
            original_number_of_transactions: Some(2),
            original_control_sum: Some("12.50".parse().unwrap()),
            status: Some("PART".to_owned()),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn a_status_report_reads_back_as_written() {
        let block = PaymentInformationStatus {
            original_payment_information_id: "MSG-1-1".to_owned(),
            original_number_of_transactions: Some(2),
            original_control_sum: Some("12.50".parse().unwrap()),
            status: Some("PART".to_owned()),
            reasons: Vec::new(),
        };
        let rejected = TransactionStatus {
            original_payment_information_id: "MSG-1-1".to_owned(),
            status_id: Some("S1".to_owned()),
            original_instruction_id: Some("I1".to_owned()),
            original_end_to_end_id: Some("E1".to_owned()),
            original_uetr: Some("0f9e1c3a-5b7d-4e2f-8a6b-1c2d3e4f5a6b".to_owned()),
            status: Some("RJCT".to_owned()),
            reasons: vec![reason("AC01")],
            acceptance_date_time: None,
            account_servicer_reference: Some("REF1".to_owned()),
            original_amount: Some(eur("10.00")),
        };
        let accepted = TransactionStatus {
            original_end_to_end_id: Some("E2".to_owned()),
            status: Some("ACCP".to_owned()),
            acceptance_date_time: Some("2026-11-21T10:00:00Z".to_owned()),
            original_payment_information_id: "MSG-1-1".to_owned(),
            ..TransactionStatus::default()
        };
        let mut writer = StatusReportWriter::start(Vec::new(), true, &group()).unwrap();
        writer.block(&block).unwrap();
        writer.transaction(&rejected).unwrap();
        writer.transaction(&accepted).unwrap();
        let xml = writer.finish().unwrap();
        let report = read_status_report(&xml).unwrap();
        assert_eq!(report.message, STATUS_REPORT_MESSAGE);
        assert_eq!(report.group, group());
        assert_eq!(report.payment_information, vec![block]);
        assert_eq!(report.transactions, vec![rejected, accepted]);
    }

    #[test]
    fn a_status_report_refuses_what_its_schema_refuses() {
        let check = |group: GroupStatus, element: &str| match StatusReportWriter::start(
            Vec::new(),
            false,
            &group,
        ) {
            Err(ReportWriteError::Invalid { element: e, .. }) => assert_eq!(e, element),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("{element} accepted"),
        };
        check(
            GroupStatus {
                original_message_id: "x".repeat(36),
                ..group()
            },
            "OrgnlGrpInfAndSts/OrgnlMsgId",
        );
        check(
            GroupStatus {
                created_at: Some("2026-11-21 10:00".to_owned()),
                ..group()
            },
            "GrpHdr/CreDtTm",
        );
        check(
            GroupStatus {
                status: Some("ACCEPTED".to_owned()),
                ..group()
            },
            "OrgnlGrpInfAndSts/GrpSts",
        );
        check(
            GroupStatus {
                reasons: vec![StatusReason {
                    additional_info: vec!["x".repeat(106)],
                    ..reason("FF01")
                }],
                ..group()
            },
            "OrgnlGrpInfAndSts/StsRsnInf/AddtlInf",
        );
        check(
            GroupStatus {
                original_message_name: None,
                ..group()
            },
            "OrgnlGrpInfAndSts/OrgnlMsgNmId",
        );
        let mut writer = StatusReportWriter::start(Vec::new(), false, &group()).unwrap();
        assert!(writer.transaction(&TransactionStatus::default()).is_err());
    }

    #[test]
    fn date_times_are_checked() {
        for ok in [
            "2026-11-21T10:00:00",
            "2026-11-21T10:00:00Z",
            "2026-11-21T10:00:00.123+01:00",
        ] {
            assert!(iso_date_time("x", ok).is_ok(), "{ok}");
        }
        for bad in [
            "2026-11-21",
            "2026-11-21T10:00",
            "2026-13-21T10:00:00",
            "2026-11-21T10:00:00+0100",
            "2026-11-21T10:00:00.Z",
            "2026-11-21 10:00:00",
        ] {
            assert!(iso_date_time("x", bad).is_err(), "{bad}");
        }
        assert_eq!(
            date_time("2026-11-21T10:00:00.5Z".parse().unwrap()),
            "2026-11-21T10:00:00Z"
        );
    }

    #[test]
    fn amounts_are_checked() {
        assert!(check_amount("x", &eur("0")).is_ok());
        assert!(check_amount("x", &eur("0.00001")).is_ok());
        assert!(check_amount("x", &eur("123456789012345678")).is_ok());
        assert!(check_amount("x", &eur("1234567890123.12345")).is_ok());
        assert!(check_amount("x", &eur("-1")).is_err());
        assert!(check_amount("x", &eur("0.000001")).is_err());
        assert!(check_amount("x", &eur("1234567890123456789")).is_err());
        let mut wrong = eur("1");
        wrong.currency = "eur".to_owned();
        assert!(check_amount("x", &wrong).is_err());
    }

    fn entry() -> Entry {
        Entry {
            statement_id: "NTF-1".to_owned(),
            reference: Some("NTRY-1".to_owned()),
            amount: eur("12.50"),
            credit_debit: CreditDebit::Debit,
            reversal: false,
            status: EntryStatus::Booked,
            booking_date: Some(jiff::civil::date(2026, 11, 23)),
            value_date: Some(jiff::civil::date(2026, 11, 23)),
            account_servicer_reference: Some("ASR-1".to_owned()),
            bank_transaction_code: Some(BankTransactionCode {
                domain: Some("PMNT".to_owned()),
                family: Some("ICDT".to_owned()),
                sub_family: Some("ESCT".to_owned()),
                proprietary: None,
            }),
            batches: vec![Batch {
                message_id: Some("MSG-1".to_owned()),
                payment_information_id: Some("MSG-1-1".to_owned()),
                number_of_transactions: Some(2),
                total_amount: Some(eur("12.50")),
                credit_debit: Some(CreditDebit::Debit),
            }],
            transactions: Vec::new(),
        }
    }

    fn section(id: &str, balances: Vec<Balance>) -> AccountSection {
        AccountSection {
            id: id.to_owned(),
            electronic_sequence_number: Some(7),
            legal_sequence_number: None,
            created_at: Some("2026-11-23T18:00:00Z".to_owned()),
            from_to: None,
            account: AccountId::Iban("SE4550000000058398257466".to_owned()),
            currency: Some("EUR".to_owned()),
            owner_name: Some("Acme & Co".to_owned()),
            servicer_bic: Some("ESSESESS".to_owned()),
            balances,
        }
    }

    #[test]
    fn a_notification_reads_back_as_written() {
        let returned = Entry {
            reference: None,
            amount: eur("10.00"),
            credit_debit: CreditDebit::Credit,
            reversal: true,
            account_servicer_reference: Some("ASR-2".to_owned()),
            bank_transaction_code: Some(BankTransactionCode {
                domain: Some("PMNT".to_owned()),
                family: Some("ICDT".to_owned()),
                sub_family: Some("RRTN".to_owned()),
                proprietary: Some("RETURN".to_owned()),
            }),
            batches: Vec::new(),
            transactions: vec![TransactionDetails {
                references: References {
                    message_id: Some("MSG-1".to_owned()),
                    payment_information_id: Some("MSG-1-1".to_owned()),
                    end_to_end_id: Some("E1".to_owned()),
                    mandate_id: Some("M1".to_owned()),
                    ..References::default()
                },
                amount: Some(eur("10.00")),
                instructed_amount: Some(eur("10.00")),
                credit_debit: Some(CreditDebit::Credit),
                bank_transaction_code: None,
                return_information: Some(ReturnInformation {
                    original_bank_transaction_code: None,
                    originator: Some("Bank".to_owned()),
                    reason: Some("AC04".to_owned()),
                    proprietary_reason: None,
                    additional_info: vec!["Closed".to_owned()],
                }),
                remittance: vec!["Invoice 1".to_owned()],
            }],
            ..entry()
        };
        let mut writer = AccountReportWriter::start(
            Vec::new(),
            false,
            AccountMessage::Notification,
            "CAMT-1",
            "2026-11-23T18:00:00Z",
        )
        .unwrap();
        writer.section(&section("NTF-1", Vec::new())).unwrap();
        writer.entry(&entry()).unwrap();
        writer.entry(&returned).unwrap();
        let xml = writer.finish().unwrap();
        let report = read_account_report(&xml).unwrap();
        assert_eq!(report.message, "camt.054.001.08");
        assert_eq!(report.message_id, "CAMT-1");
        assert_eq!(report.statements.len(), 1);
        assert_eq!(report.statements[0].account, "SE4550000000058398257466");
        assert_eq!(
            report.statements[0].electronic_sequence_number.as_deref(),
            Some("7")
        );
        assert_eq!(report.entries, vec![entry(), returned]);
    }

    #[test]
    fn a_statement_needs_balances_and_sections() {
        let start = || {
            AccountReportWriter::start(
                Vec::new(),
                false,
                AccountMessage::Statement,
                "CAMT-2",
                "2026-11-23T18:00:00Z",
            )
            .unwrap()
        };
        let mut writer = start();
        assert!(writer.section(&section("STMT-1", Vec::new())).is_err());
        assert!(writer.entry(&entry()).is_err());
        assert!(start().finish().is_err());
        let balance = Balance {
            code: "OPBD".to_owned(),
            amount: eur("0"),
            credit_debit: CreditDebit::Credit,
            date: jiff::civil::date(2026, 11, 23),
        };
        let mut writer = start();
        writer.section(&section("STMT-1", vec![balance])).unwrap();
        writer.entry(&entry()).unwrap();
        let xml = writer.finish().unwrap();
        let items: Vec<StatementItem> = crate::iso20022::camt::AccountReportReader::open(
            xml.as_slice(),
            crate::iso20022::read::XmlLimits::default(),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect();
        assert_eq!(items.len(), 2);
        let expected = Entry {
            statement_id: "STMT-1".into(),
            ..entry()
        };
        assert!(matches!(&items[1], StatementItem::Entry(e) if *e == expected));
    }
}
