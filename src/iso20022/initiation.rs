//! Streaming reader for the initiation messages a bank receives: pain.001 (customer
//! credit transfer initiation) and pain.008 (customer direct debit initiation).
//!
//! [`InitiationReader`] pulls the file through the hardened [`XmlReader`] and yields, in
//! document order, one [`InitiationItem::Group`] (when `GrpHdr` closes), then per `PmtInf`
//! one [`InitiationItem::PaymentInformation`] (before its first transaction, or at its end
//! when it has none) and one [`InitiationItem::Transaction`] per `CdtTrfTxInf` /
//! `DrctDbtTxInf`. It holds one block header and one transaction at a time, so memory
//! stays bounded whatever the size of the file.
//!
//! Every version is read the same way: pain.001.001.03 and .09 as bankgate writes them,
//! other ISO versions, the Swiss `.ch.02`/`.ch.03` and German DK `pain.00x.003.0x`
//! variants. The message is named by the `Document` namespace and must agree with the
//! root element (`CstmrCdtTrfInitn` or `CstmrDrctDbtInitn`). Differences between versions
//! that matter here are handled: `ReqdExctnDt` as a date (.03) or `ReqdExctnDt/Dt|DtTm`
//! (.09), `BIC` or `BICFI`, `Amt/InstdAmt` or `Amt/EqvtAmt/Amt` (pain.001), `InstdAmt`
//! (pain.008).
//!
//! Lenient where it does not matter (prefixes, BOM, CRLF, unknown elements, elements the
//! reader does not use), strict where it does: identifiers must be 1 to 35 characters and
//! not repeated, amounts are parsed into integer minor units with the currency's decimals
//! ([`Amount::parse`]), counts and control sums must be well-formed, dates real dates, and
//! a block's own fields must come before its first transaction (it has been yielded by
//! then). Whether counts and sums add up is the caller's judgement (a bank rejects the
//! file); the reader reports what the file says.

use std::io::BufRead;
use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::camt::parse_date;
use super::read::{MessageName, Node, ReadError, XmlLimits, XmlReader, fused_step};
use crate::domain::money::{Amount, Currency};

/// Longest identifier (`Max35Text`): `MsgId`, `PmtInfId`, `InstrId`, `EndToEndId`, `MndtId`.
pub const MAX_ID_CHARS: usize = 35;

const CREDIT_ROOT: &str = "CstmrCdtTrfInitn";
const DEBIT_ROOT: &str = "CstmrDrctDbtInitn";
const CREDIT_TX: &str = "CdtTrfTxInf";
const DEBIT_TX: &str = "DrctDbtTxInf";

/// Which initiation message a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitiationKind {
    /// pain.001, `CstmrCdtTrfInitn`.
    CreditTransfer,
    /// pain.008, `CstmrDrctDbtInitn`.
    DirectDebit,
}

impl InitiationKind {
    fn root(self) -> &'static str {
        match self {
            InitiationKind::CreditTransfer => CREDIT_ROOT,
            InitiationKind::DirectDebit => DEBIT_ROOT,
        }
    }

    fn transaction(self) -> &'static str {
        match self {
            InitiationKind::CreditTransfer => CREDIT_TX,
            InitiationKind::DirectDebit => DEBIT_TX,
        }
    }

    /// The block's own party, account and agent: the debtor's in a pain.001, the
    /// creditor's in a pain.008.
    fn own(self) -> [&'static str; 3] {
        match self {
            InitiationKind::CreditTransfer => ["Dbtr", "DbtrAcct", "DbtrAgt"],
            InitiationKind::DirectDebit => ["Cdtr", "CdtrAcct", "CdtrAgt"],
        }
    }

    /// The transaction's counterparty, account and agent.
    fn counterparty(self) -> [&'static str; 3] {
        match self {
            InitiationKind::CreditTransfer => ["Cdtr", "CdtrAcct", "CdtrAgt"],
            InitiationKind::DirectDebit => ["Dbtr", "DbtrAcct", "DbtrAgt"],
        }
    }
}

/// An account as a file names it: `Id/IBAN` or `Id/Othr/Id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id")]
pub enum AccountId {
    #[serde(rename = "IBAN")]
    Iban(String),
    #[serde(rename = "OTHER")]
    Other(String),
}

impl AccountId {
    /// The identifier itself.
    pub fn as_str(&self) -> &str {
        match self {
            AccountId::Iban(id) | AccountId::Other(id) => id,
        }
    }
}

/// `GrpHdr` of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiationGroup {
    /// The message as its namespace names it, e.g. `pain.001.001.09`,
    /// `pain.001.001.03.ch.02` or `pain.008.003.02`.
    pub message: String,
    /// The ISO base version, e.g. `pain.001.001.03` for the Swiss `.ch.02` variant.
    pub version: String,
    pub kind: InitiationKind,
    pub message_id: String,
    /// `CreDtTm` as written.
    pub created_at: Option<String>,
    pub number_of_transactions: u64,
    pub control_sum: Option<Decimal>,
    /// `InitgPty/Nm`.
    pub initiating_party: Option<String>,
}

/// One `PmtInf` block's own fields (its transactions stream separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInformation {
    pub id: String,
    /// `PmtMtd`: `TRF`, `CHK`, `TRA` (pain.001) or `DD` (pain.008).
    pub method: Option<String>,
    /// `BtchBookg`; absent means the bank's default.
    pub batch_booking: Option<bool>,
    pub number_of_transactions: Option<u64>,
    pub control_sum: Option<Decimal>,
    /// `PmtTpInf/SvcLvl/Cd`, e.g. `SEPA`, `URGP`, `NURG`.
    pub service_level: Option<String>,
    /// `PmtTpInf/LclInstrm/Cd` (or `Prtry`), e.g. `INST`, `CORE`, `B2B`.
    pub local_instrument: Option<String>,
    /// `PmtTpInf/SeqTp` (pain.008): `FRST`, `RCUR`, `OOFF`, `FNAL`.
    pub sequence_type: Option<String>,
    /// `PmtTpInf/CtgyPurp/Cd`.
    pub category_purpose: Option<String>,
    /// `ReqdExctnDt` (its `Dt`, or the date of its `DtTm`) of a pain.001,
    /// `ReqdColltnDt` of a pain.008.
    pub requested_date: Option<Date>,
    /// `Dbtr/Nm` of a pain.001, `Cdtr/Nm` of a pain.008.
    pub party_name: Option<String>,
    /// `DbtrAcct` of a pain.001, `CdtrAcct` of a pain.008.
    pub account: AccountId,
    /// The account's `Ccy`, when given.
    pub account_currency: Option<String>,
    /// The own agent's `BIC`/`BICFI`.
    pub agent_bic: Option<String>,
    /// `CdtrSchmeId/Id/PrvtId/Othr/Id` (pain.008).
    pub creditor_scheme_id: Option<String>,
}

/// One `CdtTrfTxInf` or `DrctDbtTxInf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiationTransaction {
    /// The `PmtInfId` of the block it sits in.
    pub payment_information_id: String,
    pub instruction_id: Option<String>,
    pub end_to_end_id: String,
    pub uetr: Option<String>,
    /// `InstdAmt`, or `EqvtAmt/Amt` (then [`Self::currency_of_transfer`] is set).
    pub amount: Amount,
    /// `EqvtAmt/CcyOfTrf`: the amount is given in another currency than transferred.
    pub currency_of_transfer: Option<String>,
    /// Transaction-level `PmtTpInf/SvcLvl/Cd` (pain.001).
    pub service_level: Option<String>,
    /// Transaction-level `PmtTpInf/LclInstrm/Cd` (or `Prtry`) (pain.001).
    pub local_instrument: Option<String>,
    /// `Cdtr/Nm` of a pain.001, `Dbtr/Nm` of a pain.008.
    pub counterparty_name: Option<String>,
    pub counterparty_account: Option<AccountId>,
    pub counterparty_agent_bic: Option<String>,
    /// `DrctDbtTx/MndtRltdInf/MndtId` (pain.008).
    pub mandate_id: Option<String>,
    /// `DrctDbtTx/MndtRltdInf/DtOfSgntr` (pain.008).
    pub mandate_signed_on: Option<Date>,
    /// The first `RmtInf/Ustrd`, else the first `RmtInf/Strd/CdtrRefInf/Ref`.
    pub remittance: Option<String>,
}

/// One item of a streamed pain.001/pain.008, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiationItem {
    Group(InitiationGroup),
    PaymentInformation(PaymentInformation),
    Transaction(InitiationTransaction),
}

/// A whole initiation file in memory, for callers (and tests) that want it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiation {
    pub group: InitiationGroup,
    pub payment_information: Vec<PaymentInformation>,
    pub transactions: Vec<InitiationTransaction>,
}

/// A `PmtInf` being read.
#[derive(Default)]
struct OpenBlock {
    id: Option<String>,
    method: Option<String>,
    batch_booking: Option<bool>,
    number_of_transactions: Option<u64>,
    control_sum: Option<Decimal>,
    service_level: Option<String>,
    local_instrument: Option<String>,
    sequence_type: Option<String>,
    category_purpose: Option<String>,
    requested_date: Option<Date>,
    party_name: Option<String>,
    iban: Option<String>,
    other_account: Option<String>,
    account_currency: Option<String>,
    agent_bic: Option<String>,
    creditor_scheme_id: Option<String>,
    /// Yielded already (its first transaction has started).
    emitted: bool,
}

/// A transaction being read.
#[derive(Default)]
struct OpenTransaction {
    instruction_id: Option<String>,
    end_to_end_id: Option<String>,
    uetr: Option<String>,
    amount: Option<Amount>,
    currency_of_transfer: Option<String>,
    service_level: Option<String>,
    local_instrument: Option<String>,
    counterparty_name: Option<String>,
    iban: Option<String>,
    other_account: Option<String>,
    counterparty_agent_bic: Option<String>,
    mandate_id: Option<String>,
    mandate_signed_on: Option<Date>,
    remittance: Option<String>,
    /// `remittance` is an `Ustrd` line.
    unstructured_remittance: bool,
}

/// The `GrpHdr` being read.
#[derive(Default)]
struct OpenGroup {
    message_id: Option<String>,
    created_at: Option<String>,
    number_of_transactions: Option<u64>,
    control_sum: Option<Decimal>,
    initiating_party: Option<String>,
}

/// A pain.001 or pain.008 read item by item. See the module documentation.
pub struct InitiationReader<R: BufRead> {
    xml: XmlReader<R>,
    message: MessageName,
    kind: InitiationKind,
    group: Option<OpenGroup>,
    group_done: bool,
    block: Option<OpenBlock>,
    blocks_seen: u64,
    transaction: Option<OpenTransaction>,
    /// `Ccy` of the most recently opened element (amounts are leaves).
    currency: Option<String>,
    root_seen: bool,
    document_closed: bool,
    done: bool,
}

impl<R: BufRead> InitiationReader<R> {
    /// Reads up to the `Document` element and checks that the file is a pain.001 or a
    /// pain.008 (any version or national variant).
    pub fn open(input: R, limits: XmlLimits) -> Result<Self, ReadError> {
        let mut xml = XmlReader::new(input, limits);
        let message = xml.document()?;
        let kind = match message.family.as_str() {
            "pain.001" => InitiationKind::CreditTransfer,
            "pain.008" => InitiationKind::DirectDebit,
            _ => {
                return Err(ReadError::Unsupported {
                    expected: "pain.001 or pain.008 (any version)".to_owned(),
                    actual: display_name(&message),
                });
            }
        };
        Ok(Self {
            xml,
            message,
            kind,
            group: None,
            group_done: false,
            block: None,
            blocks_seen: 0,
            transaction: None,
            currency: None,
            root_seen: false,
            document_closed: false,
            done: false,
        })
    }

    /// The message the file's namespace names.
    pub fn message(&self) -> &MessageName {
        &self.message
    }

    pub fn kind(&self) -> InitiationKind {
        self.kind
    }

    /// A field error about `name`, a child of the open elements.
    fn error(
        &self,
        name: &str,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> ReadError {
        self.xml.child_error(name, expected, actual)
    }

    fn step(&mut self) -> Result<Option<InitiationItem>, ReadError> {
        loop {
            let item = match self.xml.read_node()? {
                Node::Start { name, currency } => {
                    self.currency = currency;
                    self.start(&name)?
                }
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

    /// An element opened; the path ends with it.
    fn start(&mut self, name: &str) -> Result<Option<InitiationItem>, ReadError> {
        if self.document_closed {
            return Err(ReadError::Syntax {
                offset: self.xml.offset(),
                message: format!("element {name} after the Document element"),
            });
        }
        let depth = self.xml.path().len();
        match depth {
            2 => {
                if name != self.kind.root() || self.root_seen {
                    return Err(ReadError::Field {
                        offset: self.xml.offset(),
                        path: "Document".to_owned(),
                        expected: format!(
                            "one {} (the namespace names {})",
                            self.kind.root(),
                            display_name(&self.message)
                        ),
                        actual: name.to_owned(),
                    });
                }
                self.root_seen = true;
            }
            3 if name == "GrpHdr" => {
                if self.group_done || self.group.is_some() {
                    return Err(self.error("", "one GrpHdr", "a second one"));
                }
                self.group = Some(OpenGroup::default());
            }
            3 if name == "PmtInf" => {
                if !self.group_done {
                    return Err(self.error("", "GrpHdr before the first PmtInf", "PmtInf"));
                }
                self.block = Some(OpenBlock::default());
                self.blocks_seen += 1;
            }
            4 if name == self.kind.transaction() && self.xml.path()[2] == "PmtInf" => {
                self.transaction = Some(OpenTransaction::default());
                let emitted = self.block.as_ref().is_some_and(|b| b.emitted);
                if !emitted {
                    return self.emit_block(name).map(Some);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Yields the open block's header (checks its mandatory fields).
    fn emit_block(&mut self, name: &str) -> Result<InitiationItem, ReadError> {
        let Some(block) = self.block.as_mut() else {
            return Err(self.error(name, "an open PmtInf", "none"));
        };
        block.emitted = true;
        let Some(id) = block.id.clone() else {
            return Err(self.error(name, "PmtInfId before the first transaction", "none"));
        };
        let block = self.block.as_ref().expect("checked above");
        let [_, account_element, _] = self.kind.own();
        let account = match (&block.iban, &block.other_account) {
            (Some(iban), _) => AccountId::Iban(iban.clone()),
            (None, Some(other)) => AccountId::Other(other.clone()),
            (None, None) => {
                return Err(self.error(
                    name,
                    format!("{account_element}/Id/IBAN or {account_element}/Id/Othr/Id"),
                    "none",
                ));
            }
        };
        Ok(InitiationItem::PaymentInformation(PaymentInformation {
            id,
            method: block.method.clone(),
            batch_booking: block.batch_booking,
            number_of_transactions: block.number_of_transactions,
            control_sum: block.control_sum,
            service_level: block.service_level.clone(),
            local_instrument: block.local_instrument.clone(),
            sequence_type: block.sequence_type.clone(),
            category_purpose: block.category_purpose.clone(),
            requested_date: block.requested_date,
            party_name: block.party_name.clone(),
            account,
            account_currency: block.account_currency.clone(),
            agent_bic: block.agent_bic.clone(),
            creditor_scheme_id: block.creditor_scheme_id.clone(),
        }))
    }

    /// An element closed; the path ends with its parent.
    fn end(
        &mut self,
        name: &str,
        text: Option<String>,
    ) -> Result<Option<InitiationItem>, ReadError> {
        let depth = self.xml.path().len();
        if depth == 0 {
            self.document_closed = true;
            return Ok(None);
        }
        if depth < 2 {
            return Ok(None);
        }
        // Parents below the root element, owned so the handlers may borrow `self`.
        let parents: Vec<String> = self.xml.path()[2..].to_vec();
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        match parents.as_slice() {
            [] if name == "GrpHdr" => return self.finish_group(name).map(Some),
            [] if name == "PmtInf" => return self.finish_block(name),
            ["GrpHdr", rest @ ..] => self.group_field(rest, name, text)?,
            ["PmtInf"] if name == self.kind.transaction() => {
                return self.finish_transaction(name).map(Some);
            }
            ["PmtInf", tx, rest @ ..] if *tx == self.kind.transaction() => {
                self.transaction_field(rest, name, text)?;
            }
            ["PmtInf", rest @ ..] => self.block_field(rest, name, text)?,
            _ => {}
        }
        Ok(None)
    }

    fn group_field(
        &mut self,
        parents: &[&str],
        name: &str,
        text: Option<String>,
    ) -> Result<(), ReadError> {
        if self.group.is_none() {
            return Ok(());
        }
        match (parents, name) {
            ([], "MsgId") => {
                let value = self.identifier(name, text)?;
                let slot = &mut self.group_mut().message_id;
                set(slot, value).map_err(|a| self.repeated(name, a))?;
            }
            ([], "CreDtTm") => {
                let value = self.text(name, text)?;
                let slot = &mut self.group_mut().created_at;
                set(slot, value).map_err(|a| self.repeated(name, a))?;
            }
            ([], "NbOfTxs") => {
                let value = self.number(name, text)?;
                let slot = &mut self.group_mut().number_of_transactions;
                set(slot, value).map_err(|a| self.repeated(name, a.to_string()))?;
            }
            ([], "CtrlSum") => {
                let value = self.control_sum(name, text)?;
                let slot = &mut self.group_mut().control_sum;
                set(slot, value).map_err(|a| self.repeated(name, a.to_string()))?;
            }
            (["InitgPty"], "Nm") => {
                if let Some(text) = text {
                    self.group_mut().initiating_party.get_or_insert(text);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn group_mut(&mut self) -> &mut OpenGroup {
        self.group.get_or_insert_default()
    }

    fn finish_group(&mut self, name: &str) -> Result<InitiationItem, ReadError> {
        let group = self.group.take().unwrap_or_default();
        self.group_done = true;
        let Some(message_id) = group.message_id else {
            return Err(self.error(name, "GrpHdr/MsgId", "none"));
        };
        let Some(number_of_transactions) = group.number_of_transactions else {
            return Err(self.error(name, "GrpHdr/NbOfTxs", "none"));
        };
        Ok(InitiationItem::Group(InitiationGroup {
            message: display_name(&self.message),
            version: self.message.version.clone(),
            kind: self.kind,
            message_id,
            created_at: group.created_at,
            number_of_transactions,
            control_sum: group.control_sum,
            initiating_party: group.initiating_party,
        }))
    }

    fn block_field(
        &mut self,
        parents: &[&str],
        name: &str,
        text: Option<String>,
    ) -> Result<(), ReadError> {
        if self.block.is_none() {
            return Ok(());
        }
        let [party, account, agent] = self.kind.own();
        // Which field, if any; `None` for elements the reader does not use.
        let field = match (parents, name) {
            ([], "PmtInfId") => BlockField::Id,
            ([], "PmtMtd") => BlockField::Method,
            ([], "BtchBookg") => BlockField::BatchBooking,
            ([], "NbOfTxs") => BlockField::Count,
            ([], "CtrlSum") => BlockField::Sum,
            (["PmtTpInf", "SvcLvl"], "Cd") => BlockField::ServiceLevel,
            (["PmtTpInf", "LclInstrm"], "Cd" | "Prtry") => BlockField::LocalInstrument,
            (["PmtTpInf"], "SeqTp") => BlockField::Sequence,
            (["PmtTpInf", "CtgyPurp"], "Cd") => BlockField::Purpose,
            // .03: a date; .09: `ReqdExctnDt/Dt` or `/DtTm`.
            ([], "ReqdExctnDt" | "ReqdColltnDt") if text.is_some() => BlockField::Date,
            (["ReqdExctnDt"], "Dt" | "DtTm") => BlockField::Date,
            ([p], "Nm") if *p == party => BlockField::PartyName,
            ([a, "Id"], "IBAN") if *a == account => BlockField::Iban,
            ([a, "Id", "Othr"], "Id") if *a == account => BlockField::OtherAccount,
            ([a], "Ccy") if *a == account => BlockField::AccountCurrency,
            ([a, "FinInstnId"], "BIC" | "BICFI") if *a == agent => BlockField::AgentBic,
            (["CdtrSchmeId", "Id", "PrvtId", "Othr"], "Id") => BlockField::SchemeId,
            _ => return Ok(()),
        };
        if self.block.as_ref().is_some_and(|b| b.emitted) {
            return Err(self.error(
                name,
                format!("{name} before the first {}", self.kind.transaction()),
                "after",
            ));
        }
        let value = self.text(name, text)?;
        let repeated = |reader: &Self, actual: String| reader.repeated(name, actual);
        match field {
            BlockField::Id => {
                let value = self.checked_identifier(name, value)?;
                let slot = &mut self.block_mut().id;
                set(slot, value).map_err(|a| repeated(self, a))
            }
            BlockField::Method => {
                set(&mut self.block_mut().method, value).map_err(|a| repeated(self, a))
            }
            BlockField::BatchBooking => {
                let flag = self.boolean(name, &value)?;
                set(&mut self.block_mut().batch_booking, flag).map_err(|_| repeated(self, value))
            }
            BlockField::Count => {
                let count = self.number(name, Some(value.clone()))?;
                set(&mut self.block_mut().number_of_transactions, count)
                    .map_err(|_| repeated(self, value))
            }
            BlockField::Sum => {
                let sum = self.control_sum(name, Some(value.clone()))?;
                set(&mut self.block_mut().control_sum, sum).map_err(|_| repeated(self, value))
            }
            BlockField::ServiceLevel => {
                set(&mut self.block_mut().service_level, value).map_err(|a| repeated(self, a))
            }
            BlockField::LocalInstrument => {
                set(&mut self.block_mut().local_instrument, value).map_err(|a| repeated(self, a))
            }
            BlockField::Sequence => {
                set(&mut self.block_mut().sequence_type, value).map_err(|a| repeated(self, a))
            }
            BlockField::Purpose => {
                set(&mut self.block_mut().category_purpose, value).map_err(|a| repeated(self, a))
            }
            BlockField::Date => {
                let date = self.date(name, &value)?;
                set(&mut self.block_mut().requested_date, date).map_err(|_| repeated(self, value))
            }
            BlockField::PartyName => {
                set(&mut self.block_mut().party_name, value).map_err(|a| repeated(self, a))
            }
            BlockField::Iban => {
                set(&mut self.block_mut().iban, value).map_err(|a| repeated(self, a))
            }
            BlockField::OtherAccount => {
                set(&mut self.block_mut().other_account, value).map_err(|a| repeated(self, a))
            }
            BlockField::AccountCurrency => {
                let currency = self.currency_code(name, value)?;
                set(&mut self.block_mut().account_currency, currency).map_err(|a| repeated(self, a))
            }
            BlockField::AgentBic => {
                set(&mut self.block_mut().agent_bic, value).map_err(|a| repeated(self, a))
            }
            BlockField::SchemeId => {
                set(&mut self.block_mut().creditor_scheme_id, value).map_err(|a| repeated(self, a))
            }
        }
    }

    fn block_mut(&mut self) -> &mut OpenBlock {
        self.block.get_or_insert_default()
    }

    /// `PmtInf` closed: yields its header if no transaction did.
    fn finish_block(&mut self, name: &str) -> Result<Option<InitiationItem>, ReadError> {
        let emitted = self.block.as_ref().is_none_or(|b| b.emitted);
        let item = if emitted {
            None
        } else {
            Some(self.emit_block(name)?)
        };
        self.block = None;
        Ok(item)
    }

    fn transaction_field(
        &mut self,
        parents: &[&str],
        name: &str,
        text: Option<String>,
    ) -> Result<(), ReadError> {
        if self.transaction.is_none() {
            return Ok(());
        }
        let [party, account, agent] = self.kind.counterparty();
        let credit = self.kind == InitiationKind::CreditTransfer;
        let field = match (parents, name) {
            (["PmtId"], "InstrId") => TxField::InstructionId,
            (["PmtId"], "EndToEndId") => TxField::EndToEndId,
            (["PmtId"], "UETR") => TxField::Uetr,
            (["PmtTpInf", "SvcLvl"], "Cd") => TxField::ServiceLevel,
            (["PmtTpInf", "LclInstrm"], "Cd" | "Prtry") => TxField::LocalInstrument,
            (["Amt"], "InstdAmt") if credit => TxField::Amount,
            (["Amt", "EqvtAmt"], "Amt") if credit => TxField::Amount,
            (["Amt", "EqvtAmt"], "CcyOfTrf") if credit => TxField::CurrencyOfTransfer,
            ([], "InstdAmt") if !credit => TxField::Amount,
            (["DrctDbtTx", "MndtRltdInf"], "MndtId") => TxField::MandateId,
            (["DrctDbtTx", "MndtRltdInf"], "DtOfSgntr") => TxField::MandateSignedOn,
            ([p], "Nm") if *p == party => TxField::CounterpartyName,
            ([a, "Id"], "IBAN") if *a == account => TxField::Iban,
            ([a, "Id", "Othr"], "Id") if *a == account => TxField::OtherAccount,
            ([a, "FinInstnId"], "BIC" | "BICFI") if *a == agent => TxField::AgentBic,
            // The first unstructured line wins over a structured reference.
            (["RmtInf"], "Ustrd") => {
                let tx = self.transaction_mut();
                if !tx.unstructured_remittance && text.is_some() {
                    tx.remittance = text;
                    tx.unstructured_remittance = true;
                }
                return Ok(());
            }
            (["RmtInf", "Strd", "CdtrRefInf"], "Ref") => {
                let tx = self.transaction_mut();
                if tx.remittance.is_none() {
                    tx.remittance = text;
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        let value = self.text(name, text)?;
        let repeated = |reader: &Self, actual: String| reader.repeated(name, actual);
        match field {
            TxField::InstructionId => {
                let value = self.checked_identifier(name, value)?;
                set(&mut self.transaction_mut().instruction_id, value)
                    .map_err(|a| repeated(self, a))
            }
            TxField::EndToEndId => {
                let value = self.checked_identifier(name, value)?;
                set(&mut self.transaction_mut().end_to_end_id, value).map_err(|a| repeated(self, a))
            }
            TxField::Uetr => {
                set(&mut self.transaction_mut().uetr, value).map_err(|a| repeated(self, a))
            }
            TxField::ServiceLevel => {
                set(&mut self.transaction_mut().service_level, value).map_err(|a| repeated(self, a))
            }
            TxField::LocalInstrument => set(&mut self.transaction_mut().local_instrument, value)
                .map_err(|a| repeated(self, a)),
            TxField::Amount => {
                let amount = self.amount(name, &value)?;
                set(&mut self.transaction_mut().amount, amount).map_err(|_| repeated(self, value))
            }
            TxField::CurrencyOfTransfer => {
                let currency = self.currency_code(name, value)?;
                set(&mut self.transaction_mut().currency_of_transfer, currency)
                    .map_err(|a| repeated(self, a))
            }
            TxField::MandateId => {
                let value = self.checked_identifier(name, value)?;
                set(&mut self.transaction_mut().mandate_id, value).map_err(|a| repeated(self, a))
            }
            TxField::MandateSignedOn => {
                let date = self.date(name, &value)?;
                set(&mut self.transaction_mut().mandate_signed_on, date)
                    .map_err(|_| repeated(self, value))
            }
            TxField::CounterpartyName => set(&mut self.transaction_mut().counterparty_name, value)
                .map_err(|a| repeated(self, a)),
            TxField::Iban => {
                set(&mut self.transaction_mut().iban, value).map_err(|a| repeated(self, a))
            }
            TxField::OtherAccount => {
                set(&mut self.transaction_mut().other_account, value).map_err(|a| repeated(self, a))
            }
            TxField::AgentBic => set(&mut self.transaction_mut().counterparty_agent_bic, value)
                .map_err(|a| repeated(self, a)),
        }
    }

    fn transaction_mut(&mut self) -> &mut OpenTransaction {
        self.transaction.get_or_insert_default()
    }

    fn finish_transaction(&mut self, name: &str) -> Result<InitiationItem, ReadError> {
        let tx = self.transaction.take().unwrap_or_default();
        let Some(end_to_end_id) = tx.end_to_end_id else {
            return Err(self.error(name, "PmtId/EndToEndId", "none"));
        };
        let Some(amount) = tx.amount else {
            let expected = match self.kind {
                InitiationKind::CreditTransfer => "Amt/InstdAmt or Amt/EqvtAmt/Amt",
                InitiationKind::DirectDebit => "InstdAmt",
            };
            return Err(self.error(name, expected, "none"));
        };
        let payment_information_id = self
            .block
            .as_ref()
            .and_then(|b| b.id.clone())
            .unwrap_or_default();
        let counterparty_account = match (tx.iban, tx.other_account) {
            (Some(iban), _) => Some(AccountId::Iban(iban)),
            (None, Some(other)) => Some(AccountId::Other(other)),
            (None, None) => None,
        };
        Ok(InitiationItem::Transaction(InitiationTransaction {
            payment_information_id,
            instruction_id: tx.instruction_id,
            end_to_end_id,
            uetr: tx.uetr,
            amount,
            currency_of_transfer: tx.currency_of_transfer,
            service_level: tx.service_level,
            local_instrument: tx.local_instrument,
            counterparty_name: tx.counterparty_name,
            counterparty_account,
            counterparty_agent_bic: tx.counterparty_agent_bic,
            mandate_id: tx.mandate_id,
            mandate_signed_on: tx.mandate_signed_on,
            remittance: tx.remittance,
        }))
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
            return Err(self.error("Document", "a GrpHdr", "none"));
        }
        if self.blocks_seen == 0 {
            return Err(self.error("Document", "at least one PmtInf", "none"));
        }
        Ok(())
    }

    fn text(&self, name: &str, text: Option<String>) -> Result<String, ReadError> {
        text.ok_or_else(|| self.error(name, "a value", "an empty element"))
    }

    fn identifier(&self, name: &str, text: Option<String>) -> Result<String, ReadError> {
        let value = self.text(name, text)?;
        self.checked_identifier(name, value)
    }

    fn checked_identifier(&self, name: &str, value: String) -> Result<String, ReadError> {
        let chars = value.chars().count();
        if chars > MAX_ID_CHARS {
            return Err(self.error(
                name,
                format!("1 to {MAX_ID_CHARS} characters"),
                format!("{chars} characters ({value})"),
            ));
        }
        Ok(value)
    }

    fn repeated(&self, name: &str, actual: String) -> ReadError {
        self.error(
            name,
            format!("one {name}"),
            format!("a second one ({actual})"),
        )
    }

    fn number(&self, name: &str, text: Option<String>) -> Result<u64, ReadError> {
        let value = self.text(name, text)?;
        if value.is_empty() || value.len() > 15 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(name, "a count of 1 to 15 digits", value));
        }
        value
            .parse()
            .map_err(|_| self.error(name, "a count of 1 to 15 digits", "an unreadable count"))
    }

    /// `DecimalNumber`: at most 18 digits, at most 17 of them decimals, no sign.
    fn control_sum(&self, name: &str, text: Option<String>) -> Result<Decimal, ReadError> {
        let value = self.text(name, text)?;
        let (whole, fraction) = value.split_once('.').unwrap_or((&value, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let ok = !whole.is_empty()
            && digits(whole)
            && digits(fraction)
            && !(value.contains('.') && fraction.is_empty())
            && fraction.len() <= 17
            && whole.len() + fraction.len() <= 18;
        if !ok {
            return Err(self.error(
                name,
                "a decimal number of at most 18 digits, no sign or exponent",
                value,
            ));
        }
        Decimal::from_str(&value).map_err(|_| {
            self.error(
                name,
                "a decimal number of at most 18 digits, no sign or exponent",
                value.clone(),
            )
        })
    }

    fn boolean(&self, name: &str, value: &str) -> Result<bool, ReadError> {
        match value {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(self.error(name, "true or false", other)),
        }
    }

    /// `YYYY-MM-DD`, or the date part of `YYYY-MM-DDThh:mm:ss...`.
    fn date(&self, name: &str, value: &str) -> Result<Date, ReadError> {
        let date_part = match value.get(..11) {
            Some(head) if head.ends_with('T') => &head[..10],
            _ => value,
        };
        parse_date(date_part).ok_or_else(|| self.error(name, "a date YYYY-MM-DD", value))
    }

    fn currency_code(&self, name: &str, value: String) -> Result<String, ReadError> {
        if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(value)
        } else {
            Err(self.error(name, "a currency code of 3 upper-case letters", value))
        }
    }

    /// An amount in the currency of its `Ccy` attribute, into minor units.
    fn amount(&self, name: &str, value: &str) -> Result<Amount, ReadError> {
        let Some(code) = self.currency.as_deref() else {
            return Err(self.error(&format!("{name}/@Ccy"), "a currency attribute", "none"));
        };
        let currency = Currency::from_str(code)
            .map_err(|v| self.error(&format!("{name}/@Ccy"), v.expected, v.actual))?;
        Amount::parse(value, currency).map_err(|v| self.error(name, v.expected, v.actual))
    }
}

#[derive(Clone, Copy)]
enum BlockField {
    Id,
    Method,
    BatchBooking,
    Count,
    Sum,
    ServiceLevel,
    LocalInstrument,
    Sequence,
    Purpose,
    Date,
    PartyName,
    Iban,
    OtherAccount,
    AccountCurrency,
    AgentBic,
    SchemeId,
}

#[derive(Clone, Copy)]
enum TxField {
    InstructionId,
    EndToEndId,
    Uetr,
    ServiceLevel,
    LocalInstrument,
    Amount,
    CurrencyOfTransfer,
    MandateId,
    MandateSignedOn,
    CounterpartyName,
    Iban,
    OtherAccount,
    AgentBic,
}

impl<R: BufRead> Iterator for InitiationReader<R> {
    type Item = Result<InitiationItem, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut done = self.done;
        let item = fused_step(&mut done, || self.step());
        self.done = done;
        item
    }
}

/// Reads a whole pain.001/pain.008 into memory (a UTF-8 byte-order mark is skipped).
pub fn read_initiation(bytes: &[u8]) -> Result<Initiation, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let reader = InitiationReader::open(bytes, XmlLimits::default())?;
    let mut group = None;
    let mut payment_information = Vec::new();
    let mut transactions = Vec::new();
    for item in reader {
        match item? {
            InitiationItem::Group(g) => group = Some(g),
            InitiationItem::PaymentInformation(p) => payment_information.push(p),
            InitiationItem::Transaction(t) => transactions.push(t),
        }
    }
    let group = group.ok_or_else(|| ReadError::Field {
        offset: bytes.len() as u64,
        path: "Document".to_owned(),
        expected: "a GrpHdr".to_owned(),
        actual: "none".to_owned(),
    })?;
    Ok(Initiation {
        group,
        payment_information,
        transactions,
    })
}

/// The name the namespace gives, e.g. `pain.001.001.03.ch.02` or `pain.008.003.02`.
pub(crate) fn display_name(message: &MessageName) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
 <CstmrCdtTrfInitn>
  <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-21T10:00:00</CreDtTm><NbOfTxs>2</NbOfTxs>
   <CtrlSum>12.50</CtrlSum><InitgPty><Nm>Acme</Nm></InitgPty></GrpHdr>
  <PmtInf><PmtInfId>MSG-1-1</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>true</BtchBookg>
   <NbOfTxs>2</NbOfTxs><CtrlSum>12.50</CtrlSum>
   <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
   <ReqdExctnDt><Dt>2026-11-23</Dt></ReqdExctnDt>
   <Dbtr><Nm>Acme AB</Nm></Dbtr>
   <DbtrAcct><Id><IBAN>SE4550000000058398257466</IBAN></Id></DbtrAcct>
   <DbtrAgt><FinInstnId><BICFI>ESSESESSXXX</BICFI></FinInstnId></DbtrAgt>
   <CdtTrfTxInf><PmtId><InstrId>I1</InstrId><EndToEndId>E1</EndToEndId></PmtId>
    <Amt><InstdAmt Ccy="EUR">10.00</InstdAmt></Amt>
    <Cdtr><Nm>Muster &amp; Co</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>
    <RmtInf><Ustrd>Invoice 1</Ustrd></RmtInf></CdtTrfTxInf>
   <CdtTrfTxInf><PmtId><EndToEndId>E2</EndToEndId></PmtId>
    <Amt><InstdAmt Ccy="EUR">2.5</InstdAmt></Amt>
    <CdtrAcct><Id><Othr><Id>12345</Id></Othr></Id></CdtrAcct></CdtTrfTxInf>
  </PmtInf>
 </CstmrCdtTrfInitn>
</Document>
"#;

    #[test]
    fn reads_a_credit_transfer_file() {
        let file = read_initiation(CT.as_bytes()).unwrap();
        assert_eq!(file.group.message, "pain.001.001.09");
        assert_eq!(file.group.kind, InitiationKind::CreditTransfer);
        assert_eq!(file.group.message_id, "MSG-1");
        assert_eq!(file.group.number_of_transactions, 2);
        assert_eq!(file.group.control_sum, Some(Decimal::new(1250, 2)));
        assert_eq!(file.group.initiating_party.as_deref(), Some("Acme"));
        let [block] = file.payment_information.as_slice() else {
            panic!("{:?}", file.payment_information)
        };
        assert_eq!(block.id, "MSG-1-1");
        assert_eq!(block.batch_booking, Some(true));
        assert_eq!(block.service_level.as_deref(), Some("SEPA"));
        assert_eq!(block.requested_date, Some(jiff::civil::date(2026, 11, 23)));
        assert_eq!(
            block.account,
            AccountId::Iban("SE4550000000058398257466".into())
        );
        assert_eq!(block.agent_bic.as_deref(), Some("ESSESESSXXX"));
        let [one, two] = file.transactions.as_slice() else {
            panic!("{:?}", file.transactions)
        };
        assert_eq!(one.payment_information_id, "MSG-1-1");
        assert_eq!(one.end_to_end_id, "E1");
        assert_eq!(one.instruction_id.as_deref(), Some("I1"));
        assert_eq!(one.amount.minor_units(), 1000);
        assert_eq!(one.counterparty_name.as_deref(), Some("Muster & Co"));
        assert_eq!(one.remittance.as_deref(), Some("Invoice 1"));
        assert_eq!(two.amount.minor_units(), 250);
        assert_eq!(
            two.counterparty_account,
            Some(AccountId::Other("12345".into()))
        );
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let check = |from: &str, to: &str, fragment: &str| {
            let xml = CT.replacen(from, to, 1);
            let error = read_initiation(xml.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(fragment), "{from} -> {to}: {error}");
        };
        check("2.5</InstdAmt>", "2.555</InstdAmt>", "at most 2 decimals");
        check("Ccy=\"EUR\">2.5", "Ccy=\"XXX\">2.5", "InstdAmt/@Ccy");
        check("<EndToEndId>E2</EndToEndId>", "", "PmtId/EndToEndId");
        check(
            "<MsgId>MSG-1</MsgId>",
            "<MsgId>M</MsgId><MsgId>N</MsgId>",
            "a second one",
        );
        check(
            "<EndToEndId>E1</EndToEndId>",
            &format!("<EndToEndId>{}</EndToEndId>", "x".repeat(36)),
            "1 to 35 characters",
        );
        check("<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>two</NbOfTxs>", "a count");
        check("<Dt>2026-11-23</Dt>", "<Dt>2026-02-30</Dt>", "a date");
        check(
            "<DbtrAcct><Id><IBAN>SE4550000000058398257466</IBAN></Id></DbtrAcct>",
            "",
            "DbtrAcct/Id/IBAN",
        );
        check(
            "CstmrCdtTrfInitn>",
            "CstmrDrctDbtInitn>",
            "CstmrCdtTrfInitn",
        );
        check("</Document>", "", "truncated");
        // A block field after the block's first transaction.
        check(
            "</CdtTrfTxInf>\n  </PmtInf>",
            "</CdtTrfTxInf><NbOfTxs>2</NbOfTxs>\n  </PmtInf>",
            "before the first CdtTrfTxInf",
        );
        let camt = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"/>";
        assert!(matches!(
            read_initiation(camt.as_bytes()),
            Err(ReadError::Unsupported { .. })
        ));
    }

    #[test]
    fn streams_one_item_at_a_time() {
        let reader = InitiationReader::open(CT.as_bytes(), XmlLimits::default()).unwrap();
        let kinds: Vec<&str> = reader
            .map(|item| match item.unwrap() {
                InitiationItem::Group(_) => "group",
                InitiationItem::PaymentInformation(_) => "block",
                InitiationItem::Transaction(_) => "tx",
            })
            .collect();
        assert_eq!(kinds, ["group", "block", "tx", "tx"]);
    }

    #[test]
    fn reads_a_direct_debit_file_of_2009() {
        let xml = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.003.02"><CstmrDrctDbtInitn>
<GrpHdr><MsgId>M</MsgId><CreDtTm>2010-11-21T09:30:47.000Z</CreDtTm><NbOfTxs>1</NbOfTxs></GrpHdr>
<PmtInf><PmtInfId>P</PmtInfId><PmtMtd>DD</PmtMtd>
<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>FRST</SeqTp></PmtTpInf>
<ReqdColltnDt>2010-12-03</ReqdColltnDt><Cdtr><Nm>C</Nm></Cdtr>
<CdtrAcct><Id><IBAN>DE87200500001234567890</IBAN></Id></CdtrAcct>
<CdtrAgt><FinInstnId><BIC>BANKDEFFXXX</BIC></FinInstnId></CdtrAgt>
<CdtrSchmeId><Id><PrvtId><Othr><Id>DE00ZZZ00099999999</Id></Othr></PrvtId></Id></CdtrSchmeId>
<DrctDbtTxInf><PmtId><EndToEndId>E</EndToEndId></PmtId><InstdAmt Ccy="EUR">6543.14</InstdAmt>
<DrctDbtTx><MndtRltdInf><MndtId>MD-1</MndtId><DtOfSgntr>2010-11-20</DtOfSgntr></MndtRltdInf></DrctDbtTx>
<DbtrAgt><FinInstnId><BIC>SPUEDE2UXXX</BIC></FinInstnId></DbtrAgt><Dbtr><Nm>D</Nm></Dbtr>
<DbtrAcct><Id><IBAN>DE21500500009876543210</IBAN></Id></DbtrAcct></DrctDbtTxInf>
</PmtInf></CstmrDrctDbtInitn></Document>"#;
        let file = read_initiation(xml.as_bytes()).unwrap();
        assert_eq!(file.group.message, "pain.008.003.02");
        assert_eq!(file.group.version, "pain.008.001.02");
        assert_eq!(file.group.kind, InitiationKind::DirectDebit);
        let block = &file.payment_information[0];
        assert_eq!(block.local_instrument.as_deref(), Some("CORE"));
        assert_eq!(block.sequence_type.as_deref(), Some("FRST"));
        assert_eq!(block.requested_date, Some(jiff::civil::date(2010, 12, 3)));
        assert_eq!(block.party_name.as_deref(), Some("C"));
        assert_eq!(block.agent_bic.as_deref(), Some("BANKDEFFXXX"));
        assert_eq!(
            block.creditor_scheme_id.as_deref(),
            Some("DE00ZZZ00099999999")
        );
        let tx = &file.transactions[0];
        assert_eq!(tx.amount.minor_units(), 654_314);
        assert_eq!(tx.mandate_id.as_deref(), Some("MD-1"));
        assert_eq!(tx.mandate_signed_on, Some(jiff::civil::date(2010, 11, 20)));
        assert_eq!(tx.counterparty_name.as_deref(), Some("D"));
        assert_eq!(
            tx.counterparty_account,
            Some(AccountId::Iban("DE21500500009876543210".into()))
        );
        assert_eq!(tx.counterparty_agent_bic.as_deref(), Some("SPUEDE2UXXX"));
    }
}
