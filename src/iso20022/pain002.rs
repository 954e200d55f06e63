//! Streaming reader for pain.002 Customer Payment Status Reports.
//!
//! [`StatusReportReader`] pulls the file through the hardened [`XmlReader`] and yields, in
//! document order, one [`StatusItem::Group`] (when `OrgnlGrpInfAndSts` closes), then per
//! `OrgnlPmtInfAndSts` a [`StatusItem::PaymentInformation`] (before its first
//! `TxInfAndSts`, or at its end when it has none) and one [`StatusItem::Transaction`] per
//! `TxInfAndSts`. It holds at most one group, one block, one transaction and one reason at
//! a time, so memory stays bounded whatever the size of the file.
//!
//! Unknown elements are skipped, and so are elements in places the reader does not look
//! (e.g. `OrgnlTxRef` details other than the instructed amount). Transactions placed
//! directly under the message (no `OrgnlPmtInfAndSts`, as some banks do) take their
//! `OrgnlPmtInfId` from their own child, or stay empty. What the reader does use is
//! checked strictly: amounts, control sums and counts must be well-formed numbers, keys
//! and codes must not be empty or repeated, and a block's own fields must come before its
//! first transaction (they have been reported by then).

use std::io::BufRead;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::read::{MessageName, Node, ReadError, XmlLimits, XmlReader};
use super::report::{
    GroupStatus, PaymentInformationStatus, PaymentStatusReport, ReportedAmount, StatusItem,
    StatusReason, TransactionStatus,
};

/// Most `StsRsnInf` accepted on one group, block or transaction.
pub const MAX_REASONS: usize = 64;
/// Most `AddtlInf` accepted in one `StsRsnInf`.
pub const MAX_ADDITIONAL_INFO: usize = 64;

/// What [`StatusReportReader::open`] accepts, for error messages.
const SUPPORTED: &str =
    "pain.002.001.03 to pain.002.001.14, pain.002.001.03.ch.02 or pain.002.003.03";

/// The levels of a pain.002 that own fields and status reasons.
const GROUP: &str = "OrgnlGrpInfAndSts";
const BLOCK: &str = "OrgnlPmtInfAndSts";
const TRANSACTION: &str = "TxInfAndSts";
const REASON: &str = "StsRsnInf";

/// A pain.002 read item by item. See the module documentation.
pub struct StatusReportReader<R: BufRead> {
    xml: XmlReader<R>,
    message: MessageName,
    message_id: Option<String>,
    created_at: Option<String>,
    /// `OrgnlGrpInfAndSts` being read.
    group: Option<GroupStatus>,
    group_done: bool,
    /// `OrgnlPmtInfAndSts` being read, and whether it has been yielded already.
    block: Option<(PaymentInformationStatus, bool)>,
    transaction: Option<TransactionStatus>,
    reason: Option<StatusReason>,
    /// `Ccy` of the `InstdAmt` being read.
    currency: Option<String>,
    document_closed: bool,
    finished: bool,
}

/// Where an element sits, judged from its parent elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Group,
    Block,
    Transaction,
    ReasonCode,
    Reason,
    OriginatorName,
    OriginatorId,
    InstructedAmount,
    Elsewhere,
}

fn place(parents: &[String]) -> Place {
    let ends = |suffix: &[&str]| {
        parents.len() >= suffix.len()
            && parents[parents.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a == b)
    };
    match parents.last().map(String::as_str) {
        Some("GrpHdr") => Place::Header,
        Some(GROUP) => Place::Group,
        Some(BLOCK) => Place::Block,
        Some(TRANSACTION) => Place::Transaction,
        Some(REASON) => Place::Reason,
        // `StsRsn` is the pre-2009 name of `Rsn`.
        Some("Rsn") if ends(&[REASON, "Rsn"]) => Place::ReasonCode,
        Some("StsRsn") if ends(&[REASON, "StsRsn"]) => Place::ReasonCode,
        Some("Orgtr") if ends(&[REASON, "Orgtr"]) => Place::OriginatorName,
        Some("OrgId") if ends(&[REASON, "Orgtr", "Id", "OrgId"]) => Place::OriginatorId,
        Some("Amt") if ends(&[TRANSACTION, "OrgnlTxRef", "Amt"]) => Place::InstructedAmount,
        _ => Place::Elsewhere,
    }
}

impl<R: BufRead> StatusReportReader<R> {
    /// Reads up to the `Document` element and checks that the file is a supported pain.002.
    pub fn open(input: R, limits: XmlLimits) -> Result<Self, ReadError> {
        let mut xml = XmlReader::new(input, limits);
        let message = xml.document()?;
        if !supported(&message) {
            return Err(ReadError::Unsupported {
                expected: SUPPORTED.to_owned(),
                actual: display_name(&message),
            });
        }
        Ok(Self {
            xml,
            message,
            message_id: None,
            created_at: None,
            group: None,
            group_done: false,
            block: None,
            transaction: None,
            reason: None,
            currency: None,
            document_closed: false,
            finished: false,
        })
    }

    /// The message the file's namespace names.
    pub fn message(&self) -> &MessageName {
        &self.message
    }

    fn step(&mut self) -> Result<Option<StatusItem>, ReadError> {
        loop {
            let item = match self.xml.read_node()? {
                Node::Start { name, currency } => self.start(&name, currency)?,
                Node::End { name, text } => self.end(&name, text)?,
                Node::Eof => {
                    self.eof()?;
                    return Ok(None);
                }
            };
            if item.is_some() {
                return Ok(item);
            }
        }
    }

    /// A field error about element `name`, a child of the open elements.
    fn error(
        &self,
        name: &str,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> ReadError {
        self.xml.child_error(name, expected, actual)
    }

    fn start(
        &mut self,
        name: &str,
        currency: Option<String>,
    ) -> Result<Option<StatusItem>, ReadError> {
        if self.document_closed {
            return Err(ReadError::Syntax {
                offset: self.xml.offset(),
                message: format!("element {name} after the Document element"),
            });
        }
        // The path already holds `name`; look at its parent.
        let path = self.xml.path();
        let parent = path
            .len()
            .checked_sub(2)
            .and_then(|i| path.get(i))
            .map(String::as_str)
            .unwrap_or("");
        let is_level = matches!(name, GROUP | BLOCK | TRANSACTION);
        if is_level && self.reason.is_some() {
            return Err(self.error("", "no payment levels inside StsRsnInf", name));
        }
        match name {
            GROUP => {
                if self.group_done || self.group.is_some() {
                    return Err(self.error("", "one OrgnlGrpInfAndSts", "a second one"));
                }
                if self.block.is_some() || self.transaction.is_some() {
                    return Err(self.error("", "OrgnlGrpInfAndSts at message level", "nested"));
                }
                self.group = Some(GroupStatus::default());
            }
            BLOCK => {
                if !self.group_done {
                    return Err(self.error("", "OrgnlGrpInfAndSts before", "OrgnlPmtInfAndSts"));
                }
                if self.block.is_some() || self.transaction.is_some() {
                    return Err(self.error("", "OrgnlPmtInfAndSts at message level", "nested"));
                }
                self.block = Some((PaymentInformationStatus::default(), false));
            }
            TRANSACTION => {
                if !self.group_done {
                    return Err(self.error("", "OrgnlGrpInfAndSts before", "TxInfAndSts"));
                }
                if self.transaction.is_some() {
                    return Err(self.error("", "TxInfAndSts not nested", "nested"));
                }
                let mut item = None;
                let mut block_id = String::new();
                if let Some((block, emitted)) = &mut self.block {
                    if block.original_payment_information_id.is_empty() {
                        return Err(self.error(
                            "",
                            "OrgnlPmtInfId before the first TxInfAndSts",
                            "none",
                        ));
                    }
                    block_id = block.original_payment_information_id.clone();
                    if !*emitted {
                        *emitted = true;
                        item = Some(StatusItem::PaymentInformation(block.clone()));
                    }
                }
                self.transaction = Some(TransactionStatus {
                    original_payment_information_id: block_id,
                    ..TransactionStatus::default()
                });
                return Ok(item);
            }
            REASON if matches!(parent, GROUP | BLOCK | TRANSACTION) => {
                if parent == BLOCK && self.block.as_ref().is_some_and(|(_, emitted)| *emitted) {
                    return Err(self.error("", "StsRsnInf before the first TxInfAndSts", "after"));
                }
                self.reason = Some(StatusReason::default());
            }
            "InstdAmt" => self.currency = currency,
            _ => {}
        }
        Ok(None)
    }

    fn end(&mut self, name: &str, text: Option<String>) -> Result<Option<StatusItem>, ReadError> {
        if self.xml.path().is_empty() {
            self.document_closed = true;
            return Ok(None);
        }
        let place = place(self.xml.path());
        match (place, name) {
            (_, GROUP) if self.group.is_some() => return self.end_group().map(Some),
            (_, BLOCK) => {
                if let Some((block, emitted)) = self.block.take() {
                    if block.original_payment_information_id.is_empty() {
                        return Err(self.error(name, "OrgnlPmtInfId", "none"));
                    }
                    if !emitted {
                        return Ok(Some(StatusItem::PaymentInformation(block)));
                    }
                }
            }
            (_, TRANSACTION) => {
                if let Some(transaction) = self.transaction.take() {
                    return Ok(Some(StatusItem::Transaction(transaction)));
                }
            }
            (_, REASON) => self.end_reason(name)?,
            (Place::Header, "MsgId") => {
                let value = self.text(name, text)?;
                set(&mut self.message_id, value).map_err(|a| self.repeated(name, a))?;
            }
            (Place::Header, "CreDtTm") => {
                let value = self.text(name, text)?;
                set(&mut self.created_at, value).map_err(|a| self.repeated(name, a))?;
            }
            (Place::Group, _) if self.group.is_some() => self.group_field(name, text)?,
            (Place::Block, _) if self.block.is_some() => self.block_field(name, text)?,
            (Place::Transaction, _) if self.transaction.is_some() => {
                self.transaction_field(name, text)?
            }
            (Place::ReasonCode, "Cd" | "Prtry") if self.reason.is_some() => {
                let value = self.text(name, text)?;
                let reason = self.reason.as_mut().expect("checked above");
                let slot = if name == "Cd" {
                    &mut reason.code
                } else {
                    &mut reason.proprietary
                };
                set(slot, value).map_err(|a| self.repeated(name, a))?;
            }
            // `AddtlStsRsnInf` is the pre-2009 name of `AddtlInf`.
            (Place::Reason, "AddtlInf" | "AddtlStsRsnInf") => {
                let too_many = self
                    .reason
                    .as_ref()
                    .is_some_and(|r| r.additional_info.len() >= MAX_ADDITIONAL_INFO);
                if too_many {
                    return Err(self.error(
                        name,
                        format!("at most {MAX_ADDITIONAL_INFO} AddtlInf"),
                        "more",
                    ));
                }
                if let (Some(reason), Some(text)) = (self.reason.as_mut(), text) {
                    reason.additional_info.push(text);
                }
            }
            (Place::OriginatorName, "Nm")
            | (Place::OriginatorId, "BICOrBEI" | "AnyBIC" | "BIC") => {
                if let (Some(reason), Some(text)) = (self.reason.as_mut(), text) {
                    reason.originator.get_or_insert(text);
                }
            }
            (Place::InstructedAmount, "InstdAmt") if self.transaction.is_some() => {
                let value = self.text(name, text)?;
                let amount = self.amount(name, &value)?;
                let transaction = self.transaction.as_mut().expect("checked above");
                set(&mut transaction.original_amount, amount)
                    .map_err(|_| self.repeated(name, value))?;
            }
            _ => {}
        }
        Ok(None)
    }

    fn end_group(&mut self) -> Result<StatusItem, ReadError> {
        let mut group = self.group.take().unwrap_or_default();
        self.group_done = true;
        if group.original_message_id.is_empty() {
            return Err(self.error(GROUP, "OrgnlMsgId", "none"));
        }
        group.message_id = self
            .message_id
            .clone()
            .ok_or_else(|| self.error(GROUP, "GrpHdr/MsgId before OrgnlGrpInfAndSts", "none"))?;
        group.created_at = self.created_at.clone();
        Ok(StatusItem::Group(group))
    }

    fn end_reason(&mut self, name: &str) -> Result<(), ReadError> {
        let Some(reason) = self.reason.take() else {
            return Ok(());
        };
        let reasons = match self.xml.path().last().map(String::as_str) {
            Some(GROUP) => self.group.as_mut().map(|g| &mut g.reasons),
            Some(BLOCK) => self.block.as_mut().map(|(b, _)| &mut b.reasons),
            Some(TRANSACTION) => self.transaction.as_mut().map(|t| &mut t.reasons),
            _ => None,
        };
        if let Some(reasons) = reasons {
            if reasons.len() >= MAX_REASONS {
                return Err(self.error(name, format!("at most {MAX_REASONS} StsRsnInf"), "more"));
            }
            reasons.push(reason);
        }
        Ok(())
    }

    fn group_field(&mut self, name: &str, text: Option<String>) -> Result<(), ReadError> {
        if !matches!(
            name,
            "OrgnlMsgId" | "OrgnlMsgNmId" | "OrgnlNbOfTxs" | "OrgnlCtrlSum" | "GrpSts"
        ) {
            return Ok(());
        }
        let value = self.text(name, text)?;
        let group = self.group.as_mut().expect("caller checked");
        let result = match name {
            "OrgnlMsgId" => set_string(&mut group.original_message_id, value),
            "OrgnlMsgNmId" => set(&mut group.original_message_name, value),
            "GrpSts" => set(&mut group.status, value),
            "OrgnlNbOfTxs" => {
                let count = number(&value).ok_or_else(|| self.not_a_count(name, &value))?;
                let group = self.group.as_mut().expect("caller checked");
                set(&mut group.original_number_of_transactions, count).map_err(|_| value)
            }
            _ => {
                let sum = control_sum(&value).ok_or_else(|| self.not_a_sum(name, &value))?;
                let group = self.group.as_mut().expect("caller checked");
                set(&mut group.original_control_sum, sum).map_err(|_| value)
            }
        };
        result.map_err(|a| self.repeated(name, a))
    }

    fn block_field(&mut self, name: &str, text: Option<String>) -> Result<(), ReadError> {
        if !matches!(
            name,
            "OrgnlPmtInfId" | "OrgnlNbOfTxs" | "OrgnlCtrlSum" | "PmtInfSts"
        ) {
            return Ok(());
        }
        if self.block.as_ref().is_some_and(|(_, emitted)| *emitted) {
            return Err(self.error(
                name,
                format!("{name} before the first TxInfAndSts"),
                "after",
            ));
        }
        let value = self.text(name, text)?;
        let (block, _) = self.block.as_mut().expect("caller checked");
        let result = match name {
            "OrgnlPmtInfId" => set_string(&mut block.original_payment_information_id, value),
            "PmtInfSts" => set(&mut block.status, value),
            "OrgnlNbOfTxs" => {
                let count = number(&value).ok_or_else(|| self.not_a_count(name, &value))?;
                let (block, _) = self.block.as_mut().expect("caller checked");
                set(&mut block.original_number_of_transactions, count).map_err(|_| value)
            }
            _ => {
                let sum = control_sum(&value).ok_or_else(|| self.not_a_sum(name, &value))?;
                let (block, _) = self.block.as_mut().expect("caller checked");
                set(&mut block.original_control_sum, sum).map_err(|_| value)
            }
        };
        result.map_err(|a| self.repeated(name, a))
    }

    fn transaction_field(&mut self, name: &str, text: Option<String>) -> Result<(), ReadError> {
        let in_block = self.block.is_some();
        let transaction = self.transaction.as_mut().expect("caller checked");
        let slot = match name {
            "StsId" => &mut transaction.status_id,
            "OrgnlInstrId" => &mut transaction.original_instruction_id,
            "OrgnlEndToEndId" => &mut transaction.original_end_to_end_id,
            "OrgnlUETR" => &mut transaction.original_uetr,
            "TxSts" => &mut transaction.status,
            "AccptncDtTm" => &mut transaction.acceptance_date_time,
            "AcctSvcrRef" => &mut transaction.account_servicer_reference,
            // A transaction outside any block names its block itself.
            "OrgnlPmtInfId" if !in_block => {
                let value = self.text(name, text)?;
                let transaction = self.transaction.as_mut().expect("caller checked");
                return set_string(&mut transaction.original_payment_information_id, value)
                    .map_err(|a| self.repeated(name, a));
            }
            _ => return Ok(()),
        };
        let Some(value) = text else {
            return Err(self.error(name, "a value", "an empty element"));
        };
        set(slot, value).map_err(|a| self.repeated(name, a))
    }

    fn eof(&mut self) -> Result<(), ReadError> {
        if !self.xml.path().is_empty() {
            return Err(ReadError::Syntax {
                offset: self.xml.offset(),
                message: format!(
                    "the file ends inside {} (truncated?)",
                    self.xml.path_string()
                ),
            });
        }
        if !self.group_done {
            return Err(self.error("Document", "an OrgnlGrpInfAndSts", "none"));
        }
        Ok(())
    }

    fn text(&self, name: &str, text: Option<String>) -> Result<String, ReadError> {
        text.ok_or_else(|| self.error(name, "a value", "an empty element"))
    }

    fn repeated(&self, name: &str, actual: String) -> ReadError {
        self.error(
            name,
            format!("one {name}"),
            format!("a second one ({actual})"),
        )
    }

    fn not_a_count(&self, name: &str, value: &str) -> ReadError {
        self.error(name, "a count of 1 to 15 digits", value)
    }

    fn not_a_sum(&self, name: &str, value: &str) -> ReadError {
        self.error(
            name,
            "a decimal number of at most 18 digits, no sign or exponent",
            value,
        )
    }

    fn amount(&self, name: &str, value: &str) -> Result<ReportedAmount, ReadError> {
        let amount = decimal(value, 5, 18).ok_or_else(|| {
            self.error(
                name,
                "an amount of at most 18 digits with at most 5 decimals, no sign or exponent",
                value,
            )
        })?;
        let currency = self.currency.clone().unwrap_or_default();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(self.error(
                &format!("{name}@Ccy"),
                "a three-letter currency code",
                currency,
            ));
        }
        Ok(ReportedAmount {
            value: amount,
            currency,
        })
    }
}

impl<R: BufRead> Iterator for StatusReportReader<R> {
    type Item = Result<StatusItem, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut finished = self.finished;
        let item = crate::iso20022::read::fused_step(&mut finished, || self.step());
        self.finished = finished;
        item
    }
}

/// Reads a whole pain.002 into memory (a UTF-8 byte-order mark is accepted).
pub fn read_status_report(bytes: &[u8]) -> Result<PaymentStatusReport, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let reader = StatusReportReader::open(bytes, XmlLimits::default())?;
    let message = display_name(reader.message());
    let mut group = None;
    let mut payment_information = Vec::new();
    let mut transactions = Vec::new();
    for item in reader {
        match item? {
            StatusItem::Group(g) => group = Some(g),
            StatusItem::PaymentInformation(p) => payment_information.push(p),
            StatusItem::Transaction(t) => transactions.push(t),
        }
    }
    let group = group.ok_or_else(|| ReadError::Field {
        offset: bytes.len() as u64,
        path: "Document".to_owned(),
        expected: "an OrgnlGrpInfAndSts".to_owned(),
        actual: "none".to_owned(),
    })?;
    Ok(PaymentStatusReport {
        message,
        group,
        payment_information,
        transactions,
    })
}

/// pain.002.001.03 to .14, the Swiss `.ch.02` and the German DK `pain.002.003.03`.
fn supported(message: &MessageName) -> bool {
    if message.family != "pain.002" {
        return false;
    }
    let Some(version) = message
        .version
        .strip_prefix("pain.002.001.")
        .and_then(|v| v.parse::<u32>().ok())
    else {
        return false;
    };
    match message.variant.as_deref() {
        None => (3..=14).contains(&version),
        Some("ch.02") | Some("pain.002.003.03") => version == 3,
        Some(_) => false,
    }
}

/// The name the namespace gives, e.g. `pain.002.001.03.ch.02` or `pain.002.003.03`.
fn display_name(message: &MessageName) -> String {
    match &message.variant {
        None => message.version.clone(),
        Some(variant) if variant.starts_with(&message.family) => variant.clone(),
        Some(variant) => format!("{}.{variant}", message.version),
    }
}

/// Stores `value` unless the slot is filled already (then returns the value back).
fn set<T>(slot: &mut Option<T>, value: T) -> Result<(), T> {
    if slot.is_some() {
        return Err(value);
    }
    *slot = Some(value);
    Ok(())
}

fn set_string(slot: &mut String, value: String) -> Result<(), String> {
    if !slot.is_empty() {
        return Err(value);
    }
    *slot = value;
    Ok(())
}

/// `Max15NumericText`: one to fifteen digits.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `DecimalNumber` (control sums): at most 18 digits, at most 17 of them decimals.
fn control_sum(text: &str) -> Option<Decimal> {
    decimal(text, 17, 18)
}

/// Digits, optionally a point and one to `max_fraction` digits, at most `max_digits`
/// digits in all. No sign, no exponent, no leading or trailing point.
fn decimal(text: &str, max_fraction: usize, max_digits: usize) -> Option<Decimal> {
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, fraction),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty()
        || !digits(integer)
        || !digits(fraction)
        || (text.contains('.') && fraction.is_empty())
        || fraction.len() > max_fraction
        || integer.len() + fraction.len() > max_digits
    {
        return None;
    }
    Decimal::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_strict() {
        let ok = |t: &str| decimal(t, 5, 18).map(|d| d.to_string());
        assert_eq!(ok("0"), Some("0".into()));
        assert_eq!(ok("150000.81"), Some("150000.81".into()));
        assert_eq!(ok("1.12345"), Some("1.12345".into()));
        assert_eq!(ok("123456789012345678"), Some("123456789012345678".into()));
        assert_eq!(
            ok("1234567890123.45678"),
            Some("1234567890123.45678".into())
        );
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e3",
            "1.123456",
            "1 000",
            "1,00",
            "1234567890123456789",
            "1000000000000000000000000000000",
            "12345678901234.56789",
            "1..2",
            "1.2.3",
            "١",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
        assert!(control_sum("1.12345678901234567").is_some());
        assert!(control_sum("1.123456789012345678").is_none());
    }

    #[test]
    fn counts_are_max15_numeric_text() {
        assert_eq!(number("3"), Some(3));
        assert_eq!(number("000000000000001"), Some(1));
        assert_eq!(number("999999999999999"), Some(999_999_999_999_999));
        for bad in ["", "-1", "1.0", "1e3", " 1", "1000000000000000", "x"] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn supported_versions() {
        let ok = |ns: &str| supported(&MessageName::from_namespace(ns).unwrap());
        for v in 3..=14 {
            assert!(ok(&format!(
                "urn:iso:std:iso:20022:tech:xsd:pain.002.001.{v:02}"
            )));
        }
        assert!(!ok("urn:iso:std:iso:20022:tech:xsd:pain.002.001.02"));
        assert!(!ok("urn:iso:std:iso:20022:tech:xsd:pain.002.001.15"));
        assert!(!ok("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"));
        assert!(!ok("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"));
        assert!(ok(
            "http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd"
        ));
        assert!(ok("urn:iso:std:iso:20022:tech:xsd:pain.002.003.03"));
        assert!(!ok("urn:iso:std:iso:20022:tech:xsd:pain.002.002.03"));
    }

    #[test]
    fn places_follow_the_parents() {
        let p = |names: &[&str]| place(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["Document", "CstmrPmtStsRpt", "GrpHdr"]), Place::Header);
        assert_eq!(p(&["X", TRANSACTION, REASON, "Rsn"]), Place::ReasonCode);
        assert_eq!(
            p(&["X", TRANSACTION, "OrgnlTxRef", "PmtTpInf", "CtgyPurp"]),
            Place::Elsewhere
        );
        assert_eq!(p(&["Rsn"]), Place::Elsewhere);
        assert_eq!(
            p(&[TRANSACTION, "OrgnlTxRef", "Amt"]),
            Place::InstructedAmount
        );
        assert_eq!(p(&[REASON, "Orgtr", "Id", "OrgId"]), Place::OriginatorId);
    }
}
