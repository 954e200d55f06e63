//! Reconciliation: parsed bank reports applied to the payments and mandates we know.
//!
//! The caller loads a [`Book`] from the store (payments, mandates, the statement entries
//! already applied, the bank's [`BankBehaviour`]), passes the parsed items of one file to
//! [`apply_status_report`] (pain.002) or [`apply_account_report`] (camt.052/053/054) with
//! an [`EventContext`] (`bank:<connection>` and the time) and the file name, and persists
//! what comes back in the [`Reconciliation`]: every record (applied or not), the new entry
//! keys, and the flags and unmatched lines for operators. The book's statuses follow the
//! records, so a sequence of files can be applied one after another. Every status change
//! goes through the state machines in [`crate::domain`], which never regress a status.
//!
//! # pain.002
//!
//! The effective status of a transaction is its `TxSts`, else its block's `PmtInfSts`,
//! else the `GrpSts`. Transactions of the original message the report does not list take
//! their block's status, else the group's; under `PART` (or no status at all) they keep
//! theirs, unless the bank [reports only rejections](BankBehaviour::reports_only_rejections),
//! in which case they become `ACCEPTED`.
//!
//! | Code | Payment |
//! |---|---|
//! | `RCVD`, `ACTC`, `PDNG`, `PATC` | `PENDING_AT_BANK` |
//! | `ACCP`, `ACFC`, `ACSP`, `ACWC`, `ACWP` | `ACCEPTED` |
//! | `ACSC`, `ACCC` | `EXECUTED` |
//! | `RJCT`, `CANC` | `FAILED` (`RETURNED` after execution, by the state machine) |
//! | anything else | no change; [`FlagKind::UnknownStatusCode`] |
//!
//! # camt.052/053/054
//!
//! Only `BOOK` entries count (`PDNG`, `INFO` and others change nothing). An entry's
//! `TxDtls` are matched by `EndToEndId` (`NOTPROVIDED` counts as absent), then `InstrId`,
//! then, without either, by `PmtInfId` or `MsgId` when that names a single payment. An
//! entry without `TxDtls` (or with one that names only a multi-payment block) is a batch
//! booking: its `Btch` (or, without one, its `NtryRef` as a `PmtInfId`) must match a whole
//! block, with `NbOfTxs` equal to the block's size and `TtlAmt` (or the entry amount)
//! equal to its total. Amount and currency must agree, else the line is flagged and not
//! applied.
//!
//! | Matched line | Payment |
//! |---|---|
//! | in the booking direction (credit transfer `DBIT`, direct debit `CRDT`) | camt.052/054 `EXECUTED`, camt.053 `RECONCILED` |
//! | credit transfer `CRDT` with `PMNT/ICDT/RRTN` or `RtrInf` | `RETURNED`, reason `RtrInf/Rsn` |
//! | direct debit `DBIT` with `PMNT/IDDT/UPDD`/`PRDD` or `RtrInf` | `RETURNED`, reason `RtrInf/Rsn` |
//! | `RvslInd=true` | `RETURNED` and [`FlagKind::ReversalNeedsReview`] |
//! | otherwise the wrong direction | no change; [`FlagKind::ConflictingEvidence`] |
//!
//! Lines that match nothing become [`UnmatchedLine`]s. An entry is applied once per level
//! (notification, statement): its [`EntryKey`] is remembered, so the same file twice
//! changes nothing, while a camt.053 entry still reconciles what a camt.054 executed.
//!
//! # Mandates
//!
//! A direct debit's mandate (when the book has it) follows its collections: the first
//! collection to reach `EXECUTED` or `RECONCILED` activates it; a rejection or return
//! with `MD01`/`MD02` fails it; with `MD07`/`AC04` cancels it. Mandate records are only
//! produced when they can change the mandate.

mod account;
mod status;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

pub use account::apply_account_report;
pub use status::apply_status_report;

use crate::domain::event::{EventContext, Evidence};
use crate::domain::mandate::{Mandate, MandateEvent, MandateRecord, MandateStatus};
use crate::domain::money::Amount;
use crate::domain::payment::{
    BankOutcome, BookingReport, Payment, PaymentEvent, PaymentRecord, PaymentStatus,
};
use crate::domain::scheme::SchemeKind;
use crate::iso20022::report::{CreditDebit, References, ReportedAmount};
use crate::named_enum;

/// A payment we sent, with the identifiers the bank echoes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundPayment {
    pub id: String,
    /// The `EndToEndId` as sent (after any mapping to the scheme's character set).
    pub end_to_end_id: String,
    pub instruction_id: Option<String>,
    /// `GrpHdr/MsgId` of the file that carried it.
    pub message_id: String,
    /// `PmtInfId` of its block.
    pub payment_information_id: String,
    pub amount: Amount,
    pub kind: SchemeKind,
    /// Direct debits: the mandate it collects under.
    pub mandate_id: Option<String>,
    pub status: PaymentStatus,
}

/// A direct-debit mandate and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMandate {
    pub id: String,
    pub status: MandateStatus,
}

/// How the bank reports, from its profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BankBehaviour {
    /// The bank lists only rejected transactions in a pain.002: a transaction it does not
    /// list under `PART` (or under no status) is accepted.
    pub reports_only_rejections: bool,
}

/// Identifies a statement entry applied at one level, so it is applied only once there:
/// `AcctSvcrRef` (else `NtryRef`), account, amount and direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntryKey {
    pub account: String,
    pub reference: String,
    /// Normalised (`100.00` and `100` are the same amount).
    pub amount: Decimal,
    pub currency: String,
    /// `CRDT` or `DBIT`.
    pub credit_debit: String,
    pub booking: BookingReport,
}

named_enum! {
    /// What an operator has to look at. `BATCH_MISMATCH`: a batch booking's `NbOfTxs`
    /// differs from the block's size; `AMBIGUOUS_REFERENCE`: a reference that fits more
    /// than one payment.
    FlagKind, "reconcile.flag" {
        AmountMismatch = "AMOUNT_MISMATCH",
        CurrencyMismatch = "CURRENCY_MISMATCH",
        BatchMismatch = "BATCH_MISMATCH",
        UnknownReference = "UNKNOWN_REFERENCE",
        AmbiguousReference = "AMBIGUOUS_REFERENCE",
        UnknownStatusCode = "UNKNOWN_STATUS_CODE",
        ReversalNeedsReview = "REVERSAL_NEEDS_REVIEW",
        ConflictingEvidence = "CONFLICTING_EVIDENCE",
    }
}

crate::domain::event::serde_as_text!(FlagKind);

/// Something the engine did not apply (or applied with doubts) and an operator should see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// The bank's reference: `AcctSvcrRef`/`NtryRef` of an entry, the `EndToEndId` (or
    /// other original reference) of a pain.002 transaction.
    pub reference: String,
    pub payment_id: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

/// A booked statement line that matches none of our payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedLine {
    pub account: String,
    /// `AcctSvcrRef`, else `NtryRef`, else empty.
    pub entry_reference: String,
    pub amount: ReportedAmount,
    pub credit_debit: CreditDebit,
    pub booking_date: Option<Date>,
    /// `Domain/Family/SubFamily`, when the bank gave one.
    pub bank_transaction_code: Option<String>,
    pub references: References,
}

/// What one report did; the caller persists all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Every payment record, applied or not, in order.
    pub payment_records: Vec<PaymentRecord>,
    pub mandate_records: Vec<MandateRecord>,
    pub unmatched: Vec<UnmatchedLine>,
    pub flags: Vec<Flag>,
    /// Entry keys seen for the first time (now in the book).
    pub entry_keys: Vec<EntryKey>,
    /// Entries skipped because their key was already applied.
    pub duplicates: Vec<EntryKey>,
}

impl Reconciliation {
    /// The payment records that changed a status.
    pub fn applied_payment_records(&self) -> impl Iterator<Item = &PaymentRecord> {
        self.payment_records.iter().filter(|r| r.applied)
    }

    fn flag(
        &mut self,
        kind: FlagKind,
        reference: &str,
        payment_id: Option<&str>,
        expected: Option<String>,
        actual: Option<String>,
    ) {
        self.flags.push(Flag {
            kind,
            reference: reference.to_owned(),
            payment_id: payment_id.map(str::to_owned),
            expected,
            actual,
        });
    }
}

/// The known state the caller loads from the store, indexed by the references banks echo.
#[derive(Debug, Clone, Default)]
pub struct Book {
    behaviour: BankBehaviour,
    payments: Vec<OutboundPayment>,
    mandates: BTreeMap<String, OutboundMandate>,
    by_id: BTreeMap<String, usize>,
    by_end_to_end: BTreeMap<String, Vec<usize>>,
    by_instruction: BTreeMap<String, Vec<usize>>,
    by_block: BTreeMap<String, Vec<usize>>,
    by_message: BTreeMap<String, Vec<usize>>,
    applied_entries: BTreeSet<EntryKey>,
}

impl Book {
    pub fn new(behaviour: BankBehaviour) -> Self {
        Self {
            behaviour,
            ..Self::default()
        }
    }

    pub fn behaviour(&self) -> BankBehaviour {
        self.behaviour
    }

    /// Adds a payment; `false` (and the book unchanged) when its id is already there.
    pub fn add_payment(&mut self, payment: OutboundPayment) -> bool {
        if self.by_id.contains_key(&payment.id) {
            return false;
        }
        let index = self.payments.len();
        self.by_id.insert(payment.id.clone(), index);
        push(&mut self.by_end_to_end, &payment.end_to_end_id, index);
        if let Some(instruction) = &payment.instruction_id {
            push(&mut self.by_instruction, instruction, index);
        }
        push(&mut self.by_block, &payment.payment_information_id, index);
        push(&mut self.by_message, &payment.message_id, index);
        self.payments.push(payment);
        true
    }

    /// Adds (or replaces) a mandate.
    pub fn add_mandate(&mut self, mandate: OutboundMandate) {
        self.mandates.insert(mandate.id.clone(), mandate);
    }

    /// Remembers an entry applied earlier (from the store).
    pub fn add_applied_entry(&mut self, key: EntryKey) {
        self.applied_entries.insert(key);
    }

    pub fn payment(&self, id: &str) -> Option<&OutboundPayment> {
        self.by_id.get(id).map(|&i| &self.payments[i])
    }

    pub fn payments(&self) -> &[OutboundPayment] {
        &self.payments
    }

    pub fn mandate(&self, id: &str) -> Option<&OutboundMandate> {
        self.mandates.get(id)
    }

    pub fn applied_entries(&self) -> &BTreeSet<EntryKey> {
        &self.applied_entries
    }

    /// The payments of one message, in the order they were added.
    fn message(&self, message_id: &str) -> Vec<usize> {
        self.by_message.get(message_id).cloned().unwrap_or_default()
    }

    /// The payments of one block; `message_id` narrows it when given.
    fn block(&self, message_id: Option<&str>, payment_information_id: &str) -> Vec<usize> {
        let all = self
            .by_block
            .get(payment_information_id)
            .map_or(&[][..], Vec::as_slice);
        all.iter()
            .copied()
            .filter(|&i| message_id.is_none_or(|m| self.payments[i].message_id == m))
            .collect()
    }

    /// Finds the payment a line refers to: `EndToEndId`, then `InstrId`; without either,
    /// a block or message holding exactly one payment.
    fn find(&self, keys: &Keys<'_>) -> Found {
        let consistent = |&i: &usize| {
            let p = &self.payments[i];
            keys.message_id.is_none_or(|m| p.message_id == m)
                && keys
                    .payment_information_id
                    .is_none_or(|b| p.payment_information_id == b)
        };
        let lookups = [
            (&self.by_end_to_end, keys.end_to_end_id),
            (&self.by_instruction, keys.instruction_id),
        ];
        for (index, key) in lookups {
            let Some(found) = key.and_then(|k| index.get(k)) else {
                continue;
            };
            let narrowed: Vec<usize> = found.iter().copied().filter(consistent).collect();
            let candidates = if narrowed.is_empty() {
                found.clone()
            } else {
                narrowed
            };
            return Found::from(candidates);
        }
        if keys.end_to_end_id.is_some() || keys.instruction_id.is_some() {
            return Found::None;
        }
        let candidates = match (keys.payment_information_id, keys.message_id) {
            (Some(block), message) => self.block(message, block),
            (None, Some(message)) => self.message(message),
            (None, None) => Vec::new(),
        };
        match candidates.as_slice() {
            [one] => Found::One(*one),
            _ => Found::None,
        }
    }

    /// Applies `event` to payment `index`, then its mandate effects. `failure_reason` is
    /// the reason code of a rejection or return.
    fn apply_payment(
        &mut self,
        index: usize,
        event: PaymentEvent,
        failure_reason: Option<&str>,
        at: &At<'_>,
        out: &mut Reconciliation,
    ) {
        let positive = matches!(
            &event,
            PaymentEvent::StatementBooked { .. }
                | PaymentEvent::BankStatusReceived {
                    outcome: BankOutcome::Accepted | BankOutcome::Executed,
                    ..
                }
        );
        let code = match &event {
            PaymentEvent::BankStatusReceived { evidence, .. }
            | PaymentEvent::StatementBooked { evidence, .. } => evidence.status_code.clone(),
            _ => None,
        };
        let payment = &mut self.payments[index];
        let before = payment.status;
        let mut machine = Payment::restore(payment.id.clone(), before);
        let record = match machine.apply(event, at.ctx) {
            Ok(record) => record,
            Err(error) => {
                let id = payment.id.clone();
                out.flag(
                    FlagKind::ConflictingEvidence,
                    at.reference,
                    Some(&id),
                    None,
                    Some(error.to_string()),
                );
                return;
            }
        };
        payment.status = machine.status();
        let (applied, after) = (record.applied, record.status_after);
        out.payment_records.push(record);
        if positive && before == PaymentStatus::Failed {
            let id = payment.id.clone();
            out.flag(
                FlagKind::ConflictingEvidence,
                at.reference,
                Some(&id),
                Some(format!("nothing positive after {before}")),
                code,
            );
        }
        self.mandate_effects(index, applied, after, failure_reason, at, out);
    }

    fn mandate_effects(
        &mut self,
        index: usize,
        applied: bool,
        after: PaymentStatus,
        failure_reason: Option<&str>,
        at: &At<'_>,
        out: &mut Reconciliation,
    ) {
        let payment = &self.payments[index];
        if payment.kind != SchemeKind::DirectDebit {
            return;
        }
        let Some(mandate_id) = payment.mandate_id.clone() else {
            return;
        };
        let evidence = |code: &str| Evidence::status(code).with_source(at.evidence_source());
        let event = match failure_reason {
            Some(reason @ ("MD01" | "MD02")) => MandateEvent::Failed {
                evidence: evidence("FAILED").with_reason(reason),
            },
            Some(reason @ ("MD07" | "AC04")) => MandateEvent::Cancelled {
                evidence: evidence("CANCELLED").with_reason(reason),
            },
            _ if applied
                && matches!(after, PaymentStatus::Executed | PaymentStatus::Reconciled) =>
            {
                MandateEvent::Activated {
                    evidence: Evidence::status(after.to_string())
                        .with_source(payment.end_to_end_id.clone()),
                }
            }
            _ => return,
        };
        let payment_id = payment.id.clone();
        let Some(mandate) = self.mandates.get_mut(&mandate_id) else {
            out.flag(
                FlagKind::UnknownReference,
                &mandate_id,
                Some(&payment_id),
                Some("the payment's mandate in the book".to_owned()),
                None,
            );
            return;
        };
        let useful = match &event {
            MandateEvent::Activated { .. } => {
                mandate.status == MandateStatus::Unknown
                    || mandate
                        .status
                        .progress()
                        .is_some_and(|p| MandateStatus::Active.progress().is_some_and(|a| p < a))
            }
            _ => !mandate.status.is_final(),
        };
        if !useful {
            return;
        }
        let mut machine = Mandate::restore(mandate.id.clone(), mandate.status);
        match machine.apply(event, at.ctx) {
            Ok(record) => {
                mandate.status = machine.status();
                out.mandate_records.push(record);
            }
            Err(error) => out.flag(
                FlagKind::ConflictingEvidence,
                &mandate_id,
                Some(&payment_id),
                None,
                Some(error.to_string()),
            ),
        }
    }
}

fn push(index: &mut BTreeMap<String, Vec<usize>>, key: &str, value: usize) {
    index.entry(key.to_owned()).or_default().push(value);
}

/// Where a piece of evidence comes from, for records and flags.
struct At<'a> {
    ctx: &'a EventContext,
    /// The file name.
    source: &'a str,
    /// The line's reference (entry reference or original `EndToEndId`).
    reference: &'a str,
    /// Whether `reference` is a statement entry's, shown in the evidence source.
    entry: bool,
}

impl At<'_> {
    fn evidence_source(&self) -> String {
        if self.entry && !self.reference.is_empty() {
            format!("{}#{}", self.source, self.reference)
        } else {
            self.source.to_owned()
        }
    }
}

/// The references of one report line.
#[derive(Debug, Default, Clone, Copy)]
struct Keys<'a> {
    message_id: Option<&'a str>,
    payment_information_id: Option<&'a str>,
    instruction_id: Option<&'a str>,
    end_to_end_id: Option<&'a str>,
}

impl<'a> Keys<'a> {
    fn new(
        message_id: Option<&'a str>,
        payment_information_id: Option<&'a str>,
        instruction_id: Option<&'a str>,
        end_to_end_id: Option<&'a str>,
    ) -> Self {
        Self {
            message_id: given(message_id),
            payment_information_id: given(payment_information_id),
            instruction_id: given(instruction_id),
            end_to_end_id: given(end_to_end_id),
        }
    }
}

/// A reference that is really there: not blank, not `NOTPROVIDED`.
fn given(reference: Option<&str>) -> Option<&str> {
    reference
        .map(str::trim)
        .filter(|r| !r.is_empty() && *r != "NOTPROVIDED")
}

#[derive(Debug, PartialEq, Eq)]
enum Found {
    One(usize),
    Ambiguous(Vec<usize>),
    None,
}

impl From<Vec<usize>> for Found {
    fn from(candidates: Vec<usize>) -> Self {
        match candidates.as_slice() {
            [] => Found::None,
            [one] => Found::One(*one),
            _ => Found::Ambiguous(candidates),
        }
    }
}

impl Book {
    /// Flags an ambiguous reference, naming the candidates.
    fn flag_ambiguous(&self, candidates: &[usize], reference: &str, out: &mut Reconciliation) {
        let ids: Vec<&str> = candidates
            .iter()
            .map(|&i| self.payments[i].id.as_str())
            .collect();
        out.flag(
            FlagKind::AmbiguousReference,
            reference,
            None,
            Some("one payment".to_owned()),
            Some(ids.join(", ")),
        );
    }

    /// Flags (and returns `false`) when `reported` differs from payment `index`'s amount.
    fn amount_agrees(
        &self,
        index: usize,
        reported: &ReportedAmount,
        reference: &str,
        out: &mut Reconciliation,
    ) -> bool {
        let payment = &self.payments[index];
        let expected = payment.amount;
        if reported.currency != expected.currency().code() {
            out.flag(
                FlagKind::CurrencyMismatch,
                reference,
                Some(&payment.id),
                Some(expected.currency().code().to_owned()),
                Some(reported.currency.clone()),
            );
            return false;
        }
        if reported.value != expected.to_decimal() {
            out.flag(
                FlagKind::AmountMismatch,
                reference,
                Some(&payment.id),
                Some(show(&expected.to_decimal(), expected.currency().code())),
                Some(show(&reported.value, &reported.currency)),
            );
            return false;
        }
        true
    }
}

fn show(value: &Decimal, currency: &str) -> String {
    format!("{value} {currency}")
}

fn credit_debit_code(credit_debit: CreditDebit) -> &'static str {
    match credit_debit {
        CreditDebit::Credit => "CRDT",
        CreditDebit::Debit => "DBIT",
    }
}
