//! The durable store: instructions, approvals, payment and mandate statuses, the
//! append-only event history, and the ledgers of files in and out.
//!
//! [`Store`] is narrow and domain-shaped: callers say what happened ("this file arrived
//! with these instructions", "claim a batch for this connection", "this file is being
//! uploaded"), never how it is stored. [`SqliteStore`] is the embedded implementation; a
//! PostgreSQL one fits the same trait (claims become `FOR UPDATE SKIP LOCKED`, the rest is
//! the same SQL with `$n` binds).
//!
//! # Schema (`migrations/sqlite/0001_init.sql` onwards, embedded with `sqlx::migrate!`)
//!
//! | Table | What it holds |
//! |---|---|
//! | `intake_files` | every instruction file recorded, unique by SHA-256 of its bytes |
//! | `payments` | credit transfers and direct debits, one key space (the client's `id`); their instruction JSON in `payment_documents` (same `seq`), so status changes rewrite small rows |
//! | `approvals` | who approved which payment (four-eyes: two distinct names) |
//! | `mandates` | mandates by reference; `mandate_cancellations`: one per mandate |
//! | `outbound_files` | built ISO 20022 files and their transport state; `outbound_file_payments` |
//! | `inbound_files` | bank files received, unique by SHA-256; `statement_lines` |
//! | `events` | the append-only history of every entity (triggers refuse UPDATE and DELETE) |
//!
//! # Invariants
//!
//! - Money is `INTEGER` minor units plus an ISO 4217 code; never floating point, never text.
//! - Timestamps are UTC, stored as RFC 3339 text with exactly six fractional digits
//!   (`2026-11-23T09:00:00.000000Z`), so text order is time order; finer precision is cut.
//! - A status column changes only together with an `events` row whose `status_after` it is,
//!   in the same transaction. Events are never updated or deleted.
//! - Intent before side effect: an outbound file is recorded `BUILT` before any byte of it
//!   leaves the host, and `UPLOADING` before the upload starts, so a crash mid-upload is
//!   visible as `UPLOADING` and resolved (`UNKNOWN_OUTCOME`, `UPLOADED`) on restart.
//! - Recording a file is one transaction: all of it or nothing of it. The same bytes again
//!   are a [`RecordOutcome::DuplicateFile`]; the same instruction again (same key, same
//!   content) is counted as already recorded; the same key with other content is a
//!   [`StoreError::Conflict`] and nothing of the file is recorded.
//! - Every write runs on the single writer connection inside `BEGIN IMMEDIATE`.

pub mod archive;
mod sqlite;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::event::{Actor, EventContext, Evidence, TransitionError};
use crate::domain::instruction::Instruction;
use crate::domain::mandate::{MandateRecord, MandateStatus};
use crate::domain::money::Amount;
use crate::domain::payment::{PaymentRecord, PaymentStatus};
use crate::domain::scheme::Scheme;
use crate::named_enum;

pub use sqlite::SqliteStore;

/// An instruction file as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IncomingFile {
    pub name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub size: u64,
    pub received_at: Timestamp,
}

/// How a payment gets approved (per payment, from its account's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalPolicy {
    /// `CREATED` → `APPROVED` at once, by `system`.
    Auto,
    /// Stays `CREATED` until one approval.
    Manual,
    /// Stays `CREATED` until two approvals by distinct names.
    FourEyes,
}

impl ApprovalPolicy {
    /// Approvals needed before `APPROVED` (0 for automatic approval).
    pub const fn approvals_required(self) -> u8 {
        match self {
            ApprovalPolicy::Auto => 0,
            ApprovalPolicy::Manual => 1,
            ApprovalPolicy::FourEyes => 2,
        }
    }
}

/// One validated instruction to record. Built with [`NewInstruction::with_text`] from the
/// record's JSON text and content hash, made together
/// ([`crate::intake::RawRecord::of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstruction {
    pub instruction: Instruction,
    /// The instruction's JSON as read (one record), kept to re-read it with intake later.
    pub raw_json: String,
    /// SHA-256 (hex) of the record's content: keys sorted, no whitespace. Decides
    /// idempotency: the same key with the same content hash is the same instruction.
    pub content_sha256: String,
    /// The bank connection serving the instruction's account.
    pub connection: String,
    /// Used for payments; ignored for mandates and cancellations.
    pub approval: ApprovalPolicy,
}

impl NewInstruction {
    /// The instruction with its record's JSON text and content hash.
    pub fn with_text(
        instruction: Instruction,
        raw_json: String,
        content_sha256: String,
        connection: String,
        approval: ApprovalPolicy,
    ) -> Self {
        Self {
            instruction,
            raw_json,
            content_sha256,
            connection,
            approval,
        }
    }
}

/// SHA-256 (hex) of `record` with object keys sorted and no whitespace: two records with
/// the same content hash the same, whatever their key order or formatting.
pub fn content_sha256(record: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let mut canonical = Vec::with_capacity(512);
    write_canonical(record, &mut canonical);
    format!("{:x}", Sha256::digest(&canonical))
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Writing JSON into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, k);
                out.push(b':');
                write_canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out);
            }
            out.push(b']');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// What recording an instruction file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The same bytes were recorded before; nothing was written.
    DuplicateFile {
        first_name: String,
        first_received_at: Timestamp,
    },
    Recorded(RecordSummary),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordSummary {
    /// Keys of the instructions recorded now, in file order.
    pub new: Vec<String>,
    /// Keys recorded before with the same content (idempotent repeats).
    pub already_recorded: Vec<String>,
    /// Mandate references of cancellations whose mandate the store does not know; the
    /// cancellation is kept but applies to nothing.
    pub unknown_mandates: Vec<String>,
}

/// What the file builder needs of a claimed payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedPayment {
    pub id: String,
    pub scheme: Scheme,
    pub amount: Amount,
    pub source_account: String,
    pub requested_date: Option<Date>,
    pub mandate_id: Option<String>,
}

named_enum! {
    /// Where an outbound file is in its transport life (separate from payment statuses).
    ///
    /// `BUILT → UPLOADING → UPLOADED → ACKNOWLEDGED | REJECTED_BY_BANK`; `UPLOADING →
    /// UNKNOWN_OUTCOME` when the upload broke off, `UPLOADING → BUILT` when it provably
    /// never started; `UNKNOWN_OUTCOME → UPLOADED | UPLOADING | ACKNOWLEDGED |
    /// REJECTED_BY_BANK` once the truth is known; `UPLOADED → UNKNOWN_OUTCOME` when no
    /// acknowledgement comes.
    FileState, "outbound_file.state" {
        Built = "BUILT",
        Uploading = "UPLOADING",
        Uploaded = "UPLOADED",
        Acknowledged = "ACKNOWLEDGED",
        RejectedByBank = "REJECTED_BY_BANK",
        UnknownOutcome = "UNKNOWN_OUTCOME",
    }
}

impl FileState {
    /// Whether `self → to` is a legal move.
    pub fn allows(self, to: FileState) -> bool {
        use FileState as F;
        matches!(
            (self, to),
            (F::Built, F::Uploading)
                | (F::Uploading, F::Uploaded | F::UnknownOutcome | F::Built)
                | (
                    F::Uploaded,
                    F::Acknowledged | F::RejectedByBank | F::UnknownOutcome
                )
                | (
                    F::UnknownOutcome,
                    F::Uploading | F::Uploaded | F::Acknowledged | F::RejectedByBank
                )
        )
    }
}

/// A built outbound file, recorded before it leaves the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundFile {
    /// The ISO 20022 `MsgId`: unique.
    pub message_id: String,
    pub connection: String,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    /// The payments the file carries, with the identifiers they were sent under.
    pub transactions: Vec<FileTransaction>,
    /// Where the built bytes are kept (archive path or content address).
    pub archive: String,
}

/// One payment in an outbound file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTransaction {
    pub payment_id: String,
    pub end_to_end_id: String,
    pub payment_information_id: String,
}

/// An outbound file with its current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundFileRow {
    pub file: OutboundFile,
    pub state: FileState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundFilter {
    pub connection: Option<String>,
    pub state: Option<FileState>,
    pub limit: Option<usize>,
}

/// A bank file received (pain.002, camt.05x, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    pub connection: String,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    /// The message it holds, e.g. `pain.002.001.10`, `camt.053.001.08`.
    pub message: String,
    pub received_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    New {
        id: i64,
    },
    /// The same bytes were received before (as `first_name`); nothing was written.
    Duplicate {
        id: i64,
        first_name: String,
        first_received_at: Timestamp,
    },
}

/// Everything one received bank file did, written in one transaction by
/// [`Store::record_inbound`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub file: InboundFile,
    /// The remote file as listed: its ledger key with `file.connection` and `file.name`.
    pub remote_size: u64,
    pub remote_mtime: i64,
    /// Content address of the archived bytes.
    pub archive: String,
    /// Why the file could not be processed; `None` when it was.
    pub quarantine: Option<String>,
    pub payment_records: Vec<PaymentRecord>,
    pub mandate_records: Vec<MandateRecord>,
    /// Statement lines to keep (`inbound_file_id` is filled in by the store).
    pub lines: Vec<StatementLine>,
    /// Outbound files the report acknowledges or rejects (`MsgId`, new state); moves the
    /// file state machine does not allow are skipped.
    pub file_states: Vec<(String, FileState)>,
}

/// A received bank file as stored, with what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFileRow {
    pub file: InboundFile,
    /// `PROCESSED` or `QUARANTINED`.
    pub state: String,
    /// Why it was quarantined.
    pub reason: Option<String>,
    pub archive: String,
}

/// A payment carried by an outbound file, with the identifiers the bank echoes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentPayment {
    pub id: String,
    pub kind: String,
    pub scheme: Scheme,
    pub amount: Amount,
    pub mandate_id: Option<String>,
    pub status: PaymentStatus,
    pub message_id: String,
    pub end_to_end_id: String,
    pub payment_information_id: String,
}

/// A booked statement line kept for operators (typically one matching no payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The `id` of [`InboundOutcome::New`] of the file it came from.
    pub inbound_file_id: i64,
    pub account: String,
    pub entry_reference: String,
    /// Minor units; always positive, the direction is `credit`.
    pub amount_minor: i64,
    pub currency: String,
    pub credit: bool,
    pub booking_date: Option<Date>,
    /// Everything else worth showing (references, bank transaction code), as JSON.
    pub detail: Option<String>,
    /// The payment it was matched to later, if any.
    pub matched_payment_id: Option<String>,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    /// `credit_transfer` or `direct_debit`.
    pub kind: String,
    pub connection: String,
    pub scheme: Scheme,
    pub source_account: String,
    pub amount: Amount,
    pub requested_date: Option<Date>,
    pub mandate_id: Option<String>,
    pub status: PaymentStatus,
    pub approvals_required: u8,
    /// Approver names, in order.
    pub approvals: Vec<String>,
    pub raw_json: String,
    pub content_sha256: String,
    /// Name of the intake file that first recorded it.
    pub intake_file: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    pub status: Option<PaymentStatus>,
    pub connection: Option<String>,
    pub limit: Option<usize>,
}

/// A mandate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateRow {
    pub id: String,
    pub connection: String,
    pub scheme: Scheme,
    pub creditor_account: String,
    pub status: MandateStatus,
    pub raw_json: String,
    pub content_sha256: String,
    pub intake_file: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MandateFilter {
    pub status: Option<MandateStatus>,
    pub connection: Option<String>,
    pub limit: Option<usize>,
}

/// One row of the event history. `entity` is `PAYMENT`, `MANDATE`, `OUTBOUND_FILE`,
/// `INBOUND_FILE` or `INTAKE_FILE`; `event` and the statuses are the text names of the
/// entity's own enums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Position in the whole history (strictly increasing).
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub event: String,
    pub actor: Actor,
    pub at: Timestamp,
    pub status_before: Option<String>,
    pub status_after: String,
    pub applied: bool,
    pub reason: Option<String>,
    pub evidence: Option<Evidence>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub entity_id: Option<String>,
    pub limit: Option<usize>,
}

/// Everything that can go wrong in the store. [`StoreError::retryable`] says whether the
/// same call may succeed later unchanged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was busy or locked, or no connection came free in time.
    #[error("store busy: {0}")]
    Busy(String),
    #[error("store: {0}")]
    Database(String),
    #[error("store migration: {0}")]
    Migration(String),
    #[error("{key}: already recorded from file {first_file} with different content")]
    Conflict { key: String, first_file: String },
    #[error("{what} {id}: not found")]
    NotFound { what: &'static str, id: String },
    #[error("payment {id}: {approver} already approved it; a second approval needs another name")]
    SameApprover { id: String, approver: String },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The stored state is not what the call expected (outbound file state, the status an
    /// event record was computed from, a value out of range).
    #[error("{what} {id}: expected {expected}, got {actual}")]
    Unexpected {
        what: &'static str,
        id: String,
        expected: String,
        actual: String,
    },
    /// A stored value could not be read back.
    #[error("store: corrupt {what}: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

impl StoreError {
    /// True for transient contention (busy, locked, pool timeout, serialization failure).
    pub fn retryable(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }

    pub(crate) fn unexpected(
        what: &'static str,
        id: impl Into<String>,
        expected: impl fmt::Display,
        actual: impl fmt::Display,
    ) -> Self {
        StoreError::Unexpected {
            what,
            id: id.into(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut => StoreError::Busy(e.to_string()),
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                // SQLite primary codes 5 (BUSY) and 6 (LOCKED), also as extended codes
                // (low byte); PostgreSQL serialization failure, deadlock, lock not available.
                let sqlite_busy = code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6));
                if sqlite_busy || matches!(code.as_str(), "40001" | "40P01" | "55P03") {
                    StoreError::Busy(e.to_string())
                } else {
                    StoreError::Database(e.to_string())
                }
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(e.to_string())
    }
}

/// Parses a stored text column into its enum or value.
pub(crate) fn parse_column<T: FromStr>(what: &'static str, text: &str) -> Result<T, StoreError>
where
    T::Err: fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt {
        what,
        detail: format!("{text:?}: {e}"),
    })
}

/// The durable store. Every method is one transaction: on `Err` nothing was written.
///
/// Methods return `Send` futures so a daemon can spawn them; use the trait generically
/// (`S: Store`), not as `dyn Store`.
pub trait Store: Send + Sync {
    /// Records an instruction file and its valid instructions (see the module invariants).
    ///
    /// Payments start `CREATED` (and are `APPROVED` at once by `system` under
    /// [`ApprovalPolicy::Auto`]); mandates start `CREATED` (then `ACTIVATED` when created
    /// active); a cancellation of a known mandate applies `CANCELLATION_REQUESTED`, which
    /// the state machine may refuse ([`StoreError::Transition`]: nothing is recorded).
    fn record_file(
        &self,
        file: &IncomingFile,
        records: &[NewInstruction],
        ctx: &EventContext,
    ) -> impl Future<Output = Result<RecordOutcome, StoreError>> + Send;

    /// Approves `ids` as `approver` (the name four-eyes compares; the event actor is
    /// `ctx.actor`). A payment needing two approvals stays `CREATED` after the first, with
    /// an `APPROVED` record that is not applied. Returns the records written.
    fn approve(
        &self,
        ids: &[String],
        approver: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<Vec<PaymentRecord>, StoreError>> + Send;

    fn reject(
        &self,
        ids: &[String],
        reason: Option<&str>,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<Vec<PaymentRecord>, StoreError>> + Send;

    /// Moves up to `limit` `APPROVED` payments of `connection` in `schemes` to
    /// `PENDING_SUBMISSION`, oldest first, and returns them. A payment is claimed once.
    fn claim_for_submission(
        &self,
        connection: &str,
        schemes: &[Scheme],
        limit: usize,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<Vec<ClaimedPayment>, StoreError>> + Send;

    /// Records a built file in state `BUILT`, before it leaves the host.
    fn record_outbound_file(
        &self,
        file: &OutboundFile,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Moves an outbound file `from → to`; refuses when its state is not `from` or the
    /// move is not legal ([`FileState::allows`]).
    fn set_outbound_file_state(
        &self,
        message_id: &str,
        from: FileState,
        to: FileState,
        reason: Option<&str>,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn outbound_files(
        &self,
        filter: &OutboundFilter,
    ) -> impl Future<Output = Result<Vec<OutboundFileRow>, StoreError>> + Send;

    /// Persists records from the payment state machine, in order. An applied record must
    /// start from the stored status (else [`StoreError::Unexpected`]); it sets the status
    /// to its `status_after`. Records not applied are only appended.
    fn apply_payment_events(
        &self,
        records: &[PaymentRecord],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn apply_mandate_events(
        &self,
        records: &[MandateRecord],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `OPERATOR_FORCE_UPDATE` through the state machine: `ctx.actor` must be an operator.
    fn force_payment_status(
        &self,
        id: &str,
        to: PaymentStatus,
        reason: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<PaymentRecord, StoreError>> + Send;

    fn force_mandate_status(
        &self,
        id: &str,
        to: MandateStatus,
        reason: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<MandateRecord, StoreError>> + Send;

    /// Records a received bank file; the same bytes again are a duplicate.
    fn record_inbound_file(
        &self,
        file: &InboundFile,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<InboundOutcome, StoreError>> + Send;

    fn record_statement_lines(
        &self,
        lines: &[StatementLine],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn statement_lines(
        &self,
        unmatched_only: bool,
    ) -> impl Future<Output = Result<Vec<StatementLine>, StoreError>> + Send;

    fn payments(
        &self,
        filter: &PaymentFilter,
    ) -> impl Future<Output = Result<Vec<PaymentRow>, StoreError>> + Send;

    fn payment(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<PaymentRow>, StoreError>> + Send;

    fn mandates(
        &self,
        filter: &MandateFilter,
    ) -> impl Future<Output = Result<Vec<MandateRow>, StoreError>> + Send;

    fn mandate(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<MandateRow>, StoreError>> + Send;

    /// The instruction JSON recorded for each of `ids` that is a payment, by id.
    fn payment_documents(
        &self,
        ids: &[&str],
    ) -> impl Future<Output = Result<HashMap<String, String>, StoreError>> + Send;

    /// `PENDING_SUBMISSION` payments of `connection` that no outbound file carries yet (a
    /// window claimed them and the process stopped before their file was recorded).
    fn unfiled_payments(
        &self,
        connection: &str,
    ) -> impl Future<Output = Result<Vec<ClaimedPayment>, StoreError>> + Send;

    /// Moves an outbound file `from → UPLOADED` and applies `FILE_UPLOADED` (evidence:
    /// the file name) to its payments and to the mandates it carries first (`CREATED` →
    /// `PENDING_SUBMISSION` → `SENT`), in one transaction. Returns the payment count.
    fn record_upload(
        &self,
        message_id: &str,
        from: FileState,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// The payments of `connection` that outbound files carry, for reconciliation.
    fn sent_payments(
        &self,
        connection: &str,
    ) -> impl Future<Output = Result<Vec<SentPayment>, StoreError>> + Send;

    /// One outbound file with its payments.
    fn outbound_file(
        &self,
        message_id: &str,
    ) -> impl Future<Output = Result<Option<OutboundFileRow>, StoreError>> + Send;

    /// Received bank files (statements, notifications, status reports), newest first.
    fn inbound_files(
        &self,
        connection: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<InboundFileRow>, StoreError>> + Send;

    /// Whether a remote file (connection, name, size, mtime) was seen before.
    fn inbound_seen(
        &self,
        connection: &str,
        name: &str,
        size: u64,
        mtime: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a received bank file and everything it did, in one transaction: the
    /// ledger entry, the file (or [`InboundOutcome::Duplicate`] when the same bytes came
    /// before: then only the ledger entry is written), its records, statement lines and
    /// outbound file states.
    fn record_inbound(
        &self,
        record: &InboundRecord,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<InboundOutcome, StoreError>> + Send;

    /// Asks the daemon to run a window for `connection` now (`bankgate trigger`).
    fn request_trigger(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes the open trigger requests of `connection`; returns how many there were.
    fn take_triggers(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Appends an event about the system itself (entity `SYSTEM`, e.g. `CONFIG_RELOADED`).
    fn record_system_event(
        &self,
        event: &str,
        note: &str,
        ctx: &EventContext,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The history, oldest first.
    fn events(
        &self,
        filter: &EventFilter,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;
}
