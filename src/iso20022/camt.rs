//! Streaming reader for camt.052 (account report), camt.053 (statement) and camt.054
//! (debit/credit notification), versions .001.02 through .001.14 and national variants.
//!
//! The reader walks the file with the hardened [`XmlReader`] and yields, in document
//! order, one [`StatementItem::Statement`] per `Stmt`/`Ntfctn`/`Rpt` (as soon as its
//! header is known: before its first `Ntry`, or at its end) and one
//! [`StatementItem::Entry`] per `Ntry`. It holds one entry at a time, so a file of any
//! size streams in bounded memory (an entry's own `TxDtls` are held with it).
//!
//! Lenient where it does not matter (prefixes, BOM, CRLF, element order, unknown
//! elements, files that fail their own XSD); strict about amounts, currencies, dates,
//! credit/debit indicators, reversal indicators and the mandatory entry fields.

use std::io::BufRead;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::read::{MessageName, Node, ReadError, XmlLimits, XmlReader};
use super::report::{
    AccountReport, BankTransactionCode, Batch, CreditDebit, Entry, EntryStatus, ReportKind,
    ReportedAmount, StatementHeader, StatementItem, TransactionDetails,
};

/// Families this reader accepts.
const FAMILIES: [&str; 3] = ["camt.052", "camt.053", "camt.054"];
/// Oldest and newest accepted version number (the last group of `camt.053.001.nn`).
const VERSIONS: std::ops::RangeInclusive<u32> = 2..=14;

/// Pull parser over one camt.052/053/054 file; an [`Iterator`] of statement items.
pub struct AccountReportReader<R: BufRead> {
    xml: XmlReader<R>,
    message: MessageName,
    kind: ReportKind,
    message_id: Option<String>,
    statement: Option<OpenStatement>,
    entry: Option<OpenEntry>,
    /// Currency attribute of the most recently opened element (amounts are leaves).
    currency: Option<String>,
    /// Scratch buffer for the path below the statement element.
    parents: Vec<&'static str>,
    done: bool,
}

/// A `Stmt`/`Ntfctn`/`Rpt` being read.
#[derive(Default)]
struct OpenStatement {
    id: Option<String>,
    electronic_sequence_number: Option<String>,
    legal_sequence_number: Option<String>,
    created_at: Option<String>,
    iban: Option<String>,
    other_account: Option<String>,
    account_currency: Option<String>,
    /// The header was yielded already.
    emitted: bool,
}

/// An `Ntry` being read.
#[derive(Default)]
struct OpenEntry {
    reference: Option<String>,
    amount: Option<ReportedAmount>,
    credit_debit: Option<CreditDebit>,
    reversal: bool,
    status: Option<EntryStatus>,
    proprietary_status: Option<String>,
    booking_date: Option<Date>,
    value_date: Option<Date>,
    account_servicer_reference: Option<String>,
    bank_transaction_code: Option<BankTransactionCode>,
    batches: Vec<Batch>,
    transactions: Vec<OpenTransaction>,
}

/// A `TxDtls` being read: the 2019 `Amt` wins over `AmtDtls/TxAmt/Amt`.
#[derive(Default)]
struct OpenTransaction {
    details: TransactionDetails,
    amount: Option<ReportedAmount>,
    transaction_amount: Option<ReportedAmount>,
    /// The originator's `Orgtr/Id/...` text, used when there is no `Orgtr/Nm`.
    originator_id: Option<String>,
}

impl<R: BufRead> AccountReportReader<R> {
    /// Reads up to the `Document` element and checks that it holds a supported camt
    /// message (camt.052/053/054, .001.02 through .001.14, national variants allowed).
    pub fn open(input: R, limits: XmlLimits) -> Result<Self, ReadError> {
        let mut xml = XmlReader::new(input, limits);
        let message = xml.document()?;
        let kind = match message.family.as_str() {
            "camt.052" => ReportKind::AccountReport,
            "camt.053" => ReportKind::Statement,
            "camt.054" => ReportKind::Notification,
            _ => return Err(unsupported(&message)),
        };
        let supported = message
            .version
            .rsplit('.')
            .next()
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| VERSIONS.contains(&v))
            && message.version.get(8..12) == Some(".001");
        if !supported {
            return Err(unsupported(&message));
        }
        Ok(Self {
            xml,
            message,
            kind,
            message_id: None,
            statement: None,
            entry: None,
            currency: None,
            parents: Vec::with_capacity(16),
            done: false,
        })
    }

    /// The message the file holds, from its namespace.
    pub fn message(&self) -> &MessageName {
        &self.message
    }

    /// `GrpHdr/MsgId`, once read.
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// A field error naming the element `name` just closed.
    fn error(
        &self,
        name: &str,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> ReadError {
        self.xml.child_error(name, expected, actual)
    }

    /// Reads on to the next item.
    fn advance(&mut self) -> Result<Option<StatementItem>, ReadError> {
        loop {
            match self.xml.read_node()? {
                Node::Eof => {
                    if !self.xml.path().is_empty() {
                        return Err(ReadError::Syntax {
                            offset: self.xml.offset(),
                            message: format!(
                                "file ends inside {} (truncated?)",
                                self.xml.path_string()
                            ),
                        });
                    }
                    return Ok(None);
                }
                Node::Start { name, currency } => {
                    self.currency = currency;
                    if let Some(item) = self.start(&name)? {
                        return Ok(Some(item));
                    }
                }
                Node::End { name, text } => {
                    if self.xml.path().is_empty() {
                        // `Document` closed: nothing after it matters.
                        return Ok(None);
                    }
                    if let Some(item) = self.end(&name, text)? {
                        return Ok(Some(item));
                    }
                }
            }
        }
    }

    /// An element opened; `path()` ends with it.
    fn start(&mut self, name: &str) -> Result<Option<StatementItem>, ReadError> {
        let path = self.xml.path();
        // Document / BkToCstmrStmt / Stmt / ...
        if path.len() == 3 && is_statement(name) {
            self.statement = Some(OpenStatement::default());
            return Ok(None);
        }
        if path.len() < 4 || !is_statement(&path[2]) {
            return Ok(None);
        }
        let rel = &path[3..];
        match rel {
            [ntry] if ntry == "Ntry" => {
                self.entry = Some(OpenEntry::default());
                return self.emit_header(name);
            }
            [ntry, dtls, btch] if ntry == "Ntry" && dtls == "NtryDtls" && btch == "Btch" => {
                if let Some(entry) = &mut self.entry {
                    entry.batches.push(Batch::default());
                }
            }
            [ntry, dtls, tx] if ntry == "Ntry" && dtls == "NtryDtls" && tx == "TxDtls" => {
                if let Some(entry) = &mut self.entry {
                    entry.transactions.push(OpenTransaction::default());
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Yields the open statement's header unless it was yielded already.
    fn emit_header(&mut self, name: &str) -> Result<Option<StatementItem>, ReadError> {
        let Some(statement) = &self.statement else {
            return Ok(None);
        };
        if statement.emitted {
            return Ok(None);
        }
        let Some(message_id) = self.message_id.clone() else {
            return Err(self.error(name, "GrpHdr/MsgId before the first statement", "none"));
        };
        let Some(id) = statement.id.clone() else {
            return Err(self.error(name, "the statement's Id before its entries", "none"));
        };
        let Some(account) = statement.iban.clone().or(statement.other_account.clone()) else {
            return Err(self.error(
                name,
                "the statement's Acct/Id/IBAN or Acct/Id/Othr/Id before its entries",
                "none",
            ));
        };
        let header = StatementHeader {
            kind: self.kind,
            message_id,
            id,
            electronic_sequence_number: statement.electronic_sequence_number.clone(),
            legal_sequence_number: statement.legal_sequence_number.clone(),
            created_at: statement.created_at.clone(),
            account,
            account_currency: statement.account_currency.clone(),
        };
        if let Some(statement) = &mut self.statement {
            statement.emitted = true;
        }
        Ok(Some(StatementItem::Statement(header)))
    }

    /// An element closed; `path()` ends with its parent.
    fn end(
        &mut self,
        name: &str,
        text: Option<String>,
    ) -> Result<Option<StatementItem>, ReadError> {
        let depth = self.xml.path().len();
        if depth == 2 && is_statement(name) {
            let item = self.emit_header(name)?;
            self.statement = None;
            return Ok(item);
        }
        if depth == 2 && name == "GrpHdr" {
            return Ok(None);
        }
        if depth == 3 && self.xml.path()[2] == "GrpHdr" && name == "MsgId" {
            self.message_id = text;
            return Ok(None);
        }
        if depth < 3 || !is_statement(&self.xml.path()[2]) {
            return Ok(None);
        }
        // Path inside the statement, parents only (the closed element is `name`).
        let mut parents = std::mem::take(&mut self.parents);
        parents.clear();
        parents.extend(self.xml.path()[3..].iter().map(|n| known(n)));
        let result = self.field(&parents, name, text);
        self.parents = parents;
        result
    }

    /// A field inside the statement; `parents` is the path below the statement element.
    fn field(
        &mut self,
        parents: &[&'static str],
        name: &str,
        text: Option<String>,
    ) -> Result<Option<StatementItem>, ReadError> {
        match parents {
            [] if name == "Ntry" => return self.finish_entry(name).map(Some),
            [] => self.statement_field(name, text)?,
            ["Acct"] if name == "Ccy" => {
                let currency = self.currency_text(name, text)?;
                if let Some(statement) = &mut self.statement {
                    statement.account_currency = Some(currency);
                }
            }
            ["Acct", "Id"] if name == "IBAN" => {
                if let Some(statement) = &mut self.statement {
                    statement.iban = text;
                }
            }
            ["Acct", "Id", "Othr"] if name == "Id" => {
                if let Some(statement) = &mut self.statement {
                    statement.other_account = text;
                }
            }
            ["Ntry", rest @ ..] => self.entry_field(rest, name, text)?,
            _ => {}
        }
        Ok(None)
    }

    fn statement_field(&mut self, name: &str, text: Option<String>) -> Result<(), ReadError> {
        let Some(statement) = &mut self.statement else {
            return Ok(());
        };
        match name {
            "Id" => statement.id = text,
            "ElctrncSeqNb" => statement.electronic_sequence_number = text,
            "LglSeqNb" => statement.legal_sequence_number = text,
            "CreDtTm" => statement.created_at = text,
            _ => {}
        }
        Ok(())
    }

    /// A field inside `Ntry`; `parents` is the path below `Ntry` to the closed element.
    fn entry_field(
        &mut self,
        parents: &[&str],
        name: &str,
        text: Option<String>,
    ) -> Result<(), ReadError> {
        if self.entry.is_none() {
            return Ok(());
        }
        match (parents, name) {
            ([], "NtryRef") => self.entry_mut().reference = text,
            ([], "Amt") => {
                let amount = self.amount(name, text)?;
                self.entry_mut().amount = Some(amount);
            }
            ([], "CdtDbtInd") => {
                let indicator = self.credit_debit(name, text)?;
                self.entry_mut().credit_debit = Some(indicator);
            }
            ([], "RvslInd") => {
                let reversal = self.boolean(name, text)?;
                self.entry_mut().reversal = reversal;
            }
            ([], "Sts") => {
                // 2009 versions: the code is the element's text.
                if let Some(code) = text {
                    self.entry_mut().status = Some(entry_status(code));
                }
            }
            (["Sts"], "Cd") => {
                if let Some(code) = text {
                    self.entry_mut().status = Some(entry_status(code));
                }
            }
            (["Sts"], "Prtry") => self.entry_mut().proprietary_status = text,
            (["BookgDt"], "Dt" | "DtTm") => {
                let date = self.date(name, text)?;
                self.entry_mut().booking_date = Some(date);
            }
            (["ValDt"], "Dt" | "DtTm") => {
                let date = self.date(name, text)?;
                self.entry_mut().value_date = Some(date);
            }
            ([], "AcctSvcrRef") => self.entry_mut().account_servicer_reference = text,
            (["BkTxCd", rest @ ..], _) => {
                let code = self
                    .entry_mut()
                    .bank_transaction_code
                    .get_or_insert_default();
                bank_transaction_code(code, rest, name, text);
            }
            (["NtryDtls", "Btch"], _) => self.batch_field(name, text)?,
            (["NtryDtls", "TxDtls", rest @ ..], _) => self.transaction_field(rest, name, text)?,
            _ => {}
        }
        Ok(())
    }

    fn batch_field(&mut self, name: &str, text: Option<String>) -> Result<(), ReadError> {
        match name {
            "MsgId" => self.batch_mut().message_id = text,
            "PmtInfId" => self.batch_mut().payment_information_id = text,
            "NbOfTxs" => {
                let count = self.number(name, text)?;
                self.batch_mut().number_of_transactions = Some(count);
            }
            "TtlAmt" => {
                let amount = self.amount(name, text)?;
                self.batch_mut().total_amount = Some(amount);
            }
            "CdtDbtInd" => {
                let indicator = self.credit_debit(name, text)?;
                self.batch_mut().credit_debit = Some(indicator);
            }
            _ => {}
        }
        Ok(())
    }

    /// A field inside `TxDtls`; `parents` is the path below `TxDtls`.
    fn transaction_field(
        &mut self,
        parents: &[&str],
        name: &str,
        text: Option<String>,
    ) -> Result<(), ReadError> {
        match (parents, name) {
            (["Refs"], _) => {
                let refs = &mut self.transaction_mut().details.references;
                let slot = match name {
                    "MsgId" => &mut refs.message_id,
                    "AcctSvcrRef" => &mut refs.account_servicer_reference,
                    "PmtInfId" => &mut refs.payment_information_id,
                    "InstrId" => &mut refs.instruction_id,
                    "EndToEndId" => &mut refs.end_to_end_id,
                    "UETR" => &mut refs.uetr,
                    "TxId" => &mut refs.transaction_id,
                    "MndtId" => &mut refs.mandate_id,
                    _ => return Ok(()),
                };
                *slot = text;
            }
            ([], "Amt") => {
                let amount = self.amount(name, text)?;
                self.transaction_mut().amount = Some(amount);
            }
            (["AmtDtls", "TxAmt"], "Amt") => {
                let amount = self.amount(name, text)?;
                self.transaction_mut().transaction_amount = Some(amount);
            }
            (["AmtDtls", "InstdAmt"], "Amt") => {
                let amount = self.amount(name, text)?;
                self.transaction_mut().details.instructed_amount = Some(amount);
            }
            ([], "CdtDbtInd") => {
                let indicator = self.credit_debit(name, text)?;
                self.transaction_mut().details.credit_debit = Some(indicator);
            }
            (["BkTxCd", rest @ ..], _) => {
                let code = self
                    .transaction_mut()
                    .details
                    .bank_transaction_code
                    .get_or_insert_default();
                bank_transaction_code(code, rest, name, text);
            }
            (["RtrInf", rest @ ..], _) => {
                let transaction = self.transaction_mut();
                let info = transaction
                    .details
                    .return_information
                    .get_or_insert_default();
                match (rest, name) {
                    (["OrgnlBkTxCd", rest @ ..], _) => {
                        let code = info.original_bank_transaction_code.get_or_insert_default();
                        bank_transaction_code(code, rest, name, text);
                    }
                    (["Orgtr"], "Nm") => info.originator = text,
                    (["Orgtr", "Id", ..], _) if transaction.originator_id.is_none() => {
                        transaction.originator_id = text;
                    }
                    (["Rsn"], "Cd") => info.reason = text,
                    (["Rsn"], "Prtry") => info.proprietary_reason = text,
                    ([], "AddtlInf") => info.additional_info.extend(text),
                    _ => {}
                }
            }
            (["RmtInf"], "Ustrd") | (["RmtInf", "Strd", "CdtrRefInf"], "Ref") => {
                self.transaction_mut().details.remittance.extend(text);
            }
            _ => {}
        }
        Ok(())
    }

    /// `Ntry` closed: checks the mandatory fields and yields it.
    fn finish_entry(&mut self, name: &str) -> Result<StatementItem, ReadError> {
        let statement_id = self
            .statement
            .as_ref()
            .and_then(|s| s.id.clone())
            .unwrap_or_default();
        let Some(entry) = self.entry.take() else {
            return Err(self.error(name, "an entry", "none"));
        };
        let Some(amount) = entry.amount else {
            return Err(self.error(&format!("{name}/Amt"), "an amount", "none"));
        };
        let Some(credit_debit) = entry.credit_debit else {
            return Err(self.error(&format!("{name}/CdtDbtInd"), "CRDT or DBIT", "none"));
        };
        let status = match (entry.status, entry.proprietary_status) {
            (Some(status), _) => status,
            (None, Some(proprietary)) => EntryStatus::Other(proprietary),
            (None, None) => {
                return Err(self.error(
                    &format!("{name}/Sts"),
                    "an entry status (BOOK, PDNG, INFO, ...)",
                    "none",
                ));
            }
        };
        let transactions = entry
            .transactions
            .into_iter()
            .map(|t| {
                let mut details = t.details;
                details.amount = t.amount.or(t.transaction_amount);
                if let (Some(info), Some(id)) = (&mut details.return_information, t.originator_id)
                    && info.originator.is_none()
                {
                    info.originator = Some(id);
                }
                details
            })
            .collect();
        Ok(StatementItem::Entry(Entry {
            statement_id,
            reference: entry.reference,
            amount,
            credit_debit,
            reversal: entry.reversal,
            status,
            booking_date: entry.booking_date,
            value_date: entry.value_date,
            account_servicer_reference: entry.account_servicer_reference,
            bank_transaction_code: entry.bank_transaction_code,
            batches: entry.batches,
            transactions,
        }))
    }

    fn entry_mut(&mut self) -> &mut OpenEntry {
        self.entry.get_or_insert_default()
    }

    fn batch_mut(&mut self) -> &mut Batch {
        let batches = &mut self.entry_mut().batches;
        if batches.is_empty() {
            batches.push(Batch::default());
        }
        batches.last_mut().expect("a batch was just ensured")
    }

    fn transaction_mut(&mut self) -> &mut OpenTransaction {
        let transactions = &mut self.entry_mut().transactions;
        if transactions.is_empty() {
            transactions.push(OpenTransaction::default());
        }
        transactions
            .last_mut()
            .expect("a transaction was just ensured")
    }

    /// An amount element: decimal text and a `Ccy` attribute.
    fn amount(&self, name: &str, text: Option<String>) -> Result<ReportedAmount, ReadError> {
        let text = text.unwrap_or_default();
        let Some(value) = parse_amount(&text) else {
            return Err(self.error(
                name,
                "a non-negative decimal amount (at most 18 digits, 5 after the point)",
                quote(&text),
            ));
        };
        let currency = match &self.currency {
            Some(c) if is_currency(c) => c.clone(),
            Some(c) => {
                return Err(self.error(
                    &format!("{name}/@Ccy"),
                    "a currency code of 3 upper-case letters",
                    quote(c),
                ));
            }
            None => {
                return Err(self.error(&format!("{name}/@Ccy"), "a currency attribute", "none"));
            }
        };
        Ok(ReportedAmount { value, currency })
    }

    fn currency_text(&self, name: &str, text: Option<String>) -> Result<String, ReadError> {
        match text {
            Some(c) if is_currency(&c) => Ok(c),
            other => Err(self.error(
                name,
                "a currency code of 3 upper-case letters",
                quote(other.as_deref().unwrap_or_default()),
            )),
        }
    }

    fn credit_debit(&self, name: &str, text: Option<String>) -> Result<CreditDebit, ReadError> {
        match text.as_deref() {
            Some("CRDT") => Ok(CreditDebit::Credit),
            Some("DBIT") => Ok(CreditDebit::Debit),
            other => Err(self.error(name, "CRDT or DBIT", quote(other.unwrap_or_default()))),
        }
    }

    fn boolean(&self, name: &str, text: Option<String>) -> Result<bool, ReadError> {
        match text.as_deref() {
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            other => Err(self.error(name, "true or false", quote(other.unwrap_or_default()))),
        }
    }

    fn number(&self, name: &str, text: Option<String>) -> Result<u64, ReadError> {
        let text = text.unwrap_or_default();
        if !text.is_empty()
            && text.len() <= 15
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(count) = text.parse()
        {
            return Ok(count);
        }
        Err(self.error(name, "a number of at most 15 digits", quote(&text)))
    }

    /// `Dt` (`YYYY-MM-DD`) or `DtTm` (`YYYY-MM-DDThh:mm:ss...`, date part kept).
    fn date(&self, name: &str, text: Option<String>) -> Result<Date, ReadError> {
        let text = text.unwrap_or_default();
        let date_part = if name == "DtTm" {
            match text.get(..11) {
                Some(head) if head.ends_with('T') => &head[..10],
                _ => "",
            }
        } else {
            text.as_str()
        };
        parse_date(date_part).ok_or_else(|| {
            let expected = if name == "DtTm" {
                "a date-time YYYY-MM-DDThh:mm:ss"
            } else {
                "a date YYYY-MM-DD"
            };
            self.error(name, expected, quote(&text))
        })
    }
}

impl<R: BufRead> Iterator for AccountReportReader<R> {
    type Item = Result<StatementItem, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut done = self.done;
        let item = crate::iso20022::read::fused_step(&mut done, || self.advance());
        self.done = done;
        item
    }
}

/// Reads a whole camt.052/053/054 into memory (a UTF-8 byte-order mark is skipped).
pub fn read_account_report(bytes: &[u8]) -> Result<AccountReport, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = AccountReportReader::open(bytes, XmlLimits::default())?;
    let mut statements = Vec::new();
    let mut entries = Vec::new();
    for item in reader.by_ref() {
        match item? {
            StatementItem::Statement(header) => statements.push(header),
            StatementItem::Entry(entry) => entries.push(entry),
        }
    }
    Ok(AccountReport {
        message: reader.message.version.clone(),
        message_id: reader.message_id.clone().unwrap_or_default(),
        statements,
        entries,
    })
}

fn unsupported(message: &MessageName) -> ReadError {
    ReadError::Unsupported {
        expected: format!(
            "{} version .001.{:02} to .001.{:02}",
            FAMILIES.join(", "),
            VERSIONS.start(),
            VERSIONS.end()
        ),
        actual: match &message.variant {
            Some(variant) => format!("{} ({variant})", message.version),
            None => message.version.clone(),
        },
    }
}

/// The element names the reader matches on, as static strings; anything else is `?`.
fn known(name: &str) -> &'static str {
    const NAMES: [&str; 25] = [
        "Acct",
        "Id",
        "Othr",
        "Ntry",
        "Sts",
        "BookgDt",
        "ValDt",
        "BkTxCd",
        "Domn",
        "Fmly",
        "Prtry",
        "NtryDtls",
        "Btch",
        "TxDtls",
        "Refs",
        "AmtDtls",
        "TxAmt",
        "InstdAmt",
        "RtrInf",
        "OrgnlBkTxCd",
        "Orgtr",
        "Rsn",
        "RmtInf",
        "Strd",
        "CdtrRefInf",
    ];
    NAMES.iter().find(|n| **n == name).copied().unwrap_or("?")
}

fn is_statement(name: &str) -> bool {
    matches!(name, "Stmt" | "Ntfctn" | "Rpt")
}

fn entry_status(code: String) -> EntryStatus {
    match code.as_str() {
        "BOOK" => EntryStatus::Booked,
        "PDNG" => EntryStatus::Pending,
        "INFO" => EntryStatus::Information,
        _ => EntryStatus::Other(code),
    }
}

/// `parents` is the path below `BkTxCd` (or `OrgnlBkTxCd`) to the closed `name`.
fn bank_transaction_code(
    code: &mut BankTransactionCode,
    parents: &[&str],
    name: &str,
    text: Option<String>,
) {
    match (parents, name) {
        (["Domn"], "Cd") => code.domain = text,
        (["Domn", "Fmly"], "Cd") => code.family = text,
        (["Domn", "Fmly"], "SubFmlyCd") => code.sub_family = text,
        (["Prtry"], "Cd") => code.proprietary = text,
        _ => {}
    }
}

/// Digits, an optional point with 1 to 5 digits, at most 18 digits in all.
pub(crate) fn parse_amount(text: &str) -> Option<Decimal> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return None;
    }
    let fraction_len = match fraction {
        Some(f) if digits(f) && f.len() <= 5 => f.len(),
        Some(_) => return None,
        None => 0,
    };
    if whole.len() + fraction_len > 18 {
        return None;
    }
    text.parse().ok()
}

/// Exactly `YYYY-MM-DD`, a real calendar date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let year: i16 = text[..4].parse().ok()?;
    let month: i8 = text[5..7].parse().ok()?;
    let day: i8 = text[8..].parse().ok()?;
    Date::new(year, month, day).ok()
}

fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Quotes a value for an error message, shortened so giant text stays readable.
fn quote(text: &str) -> String {
    if text.is_empty() {
        return "nothing".to_owned();
    }
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short:?}...")
    } else {
        format!("{short:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_strict() {
        assert_eq!(parse_amount("1.5"), Some(Decimal::new(15, 1)));
        assert_eq!(parse_amount("0"), Some(Decimal::ZERO));
        assert_eq!(parse_amount("12.34567"), Some(Decimal::new(1_234_567, 5)));
        assert_eq!(
            parse_amount("123456789012345678"),
            Some(Decimal::new(123_456_789_012_345_678, 0))
        );
        for bad in [
            "",
            "-1",
            "+1",
            "1.",
            ".5",
            "1.123456",
            "1,50",
            "1e3",
            " 1",
            "1234567890123456789",
            "1234567890123.123456",
            "1000000000000000000000000000000",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("2024-02-29"),
            Some(jiff::civil::date(2024, 2, 29))
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-01",
            "2024-01-01Z",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }
}
