//! The embedded store: one SQLite file in WAL mode with `synchronous=FULL` and a busy
//! timeout; a pool of read-only readers and a single writer connection, every write
//! transaction opened with `BEGIN IMMEDIATE` so it takes the write lock up front (two
//! writers never deadlock on a lock upgrade, and a second process waits, then gets
//! `SQLITE_BUSY` as a retryable [`StoreError::Busy`]).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use super::*;
use crate::domain::event::{EntityKind, EventRecord};
use crate::domain::instruction::InstructionKind;
use crate::domain::mandate::{Mandate, MandateEvent};
use crate::domain::money::Currency;
use crate::domain::payment::{Payment, PaymentEvent, PaymentEventKind};

mod bulk;
mod engine;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/store/migrations/sqlite");

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
const READERS: u32 = 4;

/// The embedded SQLite store (see the module documentation).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    readers: SqlitePool,
    writer: SqlitePool,
}

/// `APPROVED` payments of a connection in some schemes, oldest first: what a claim takes.
const CLAIM_CANDIDATES: &str = "SELECT id, scheme, amount_minor, currency, source_account,
        requested_date, mandate_id
     FROM payments p
     WHERE connection = ? AND status = 'APPROVED'
       AND scheme IN (SELECT value FROM json_each(?))
     ORDER BY p.seq LIMIT ?";

/// The claimed payments of `rows` and their `SUBMISSION_STARTED` records.
fn claim_records(
    rows: &[SqliteRow],
    ctx: &EventContext,
) -> Result<(Vec<ClaimedPayment>, Vec<PaymentRecord>), StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let claimed = engine::claimed_from_row(row)?;
        records.push(
            Payment::restore(claimed.id.clone(), PaymentStatus::Approved)
                .apply(PaymentEvent::SubmissionStarted, ctx)?,
        );
        out.push(claimed);
    }
    Ok((out, records))
}

type Tx = Transaction<'static, Sqlite>;

impl SqliteStore {
    /// Opens (creating if missing) the database at `path` and runs the embedded migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { readers, writer })
    }

    /// Closes both pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Fixed-width RFC 3339 UTC text: text order is time order.
fn ts(at: Timestamp) -> String {
    format!("{at:.6}")
}

fn parse_ts(text: &str) -> Result<Timestamp, StoreError> {
    parse_column("timestamp", text)
}

fn limit(limit: Option<usize>) -> i64 {
    limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// One `events` row to append.
struct NewEvent<'a> {
    entity: &'a str,
    entity_id: &'a str,
    event: String,
    actor: String,
    at: Timestamp,
    status_before: Option<String>,
    status_after: String,
    applied: bool,
    reason: Option<&'a str>,
    evidence: Option<&'a Evidence>,
    note: Option<String>,
}

async fn append_event(tx: &mut Tx, e: NewEvent<'_>) -> Result<(), StoreError> {
    bulk::append_events(tx, std::slice::from_ref(&e)).await
}

fn record_event<S: fmt::Display, K: fmt::Display>(r: &EventRecord<S, K>) -> NewEvent<'_> {
    NewEvent {
        entity: r.entity.as_str(),
        entity_id: &r.entity_id,
        event: r.event.to_string(),
        actor: r.actor.to_string(),
        at: r.at,
        status_before: r.status_before.as_ref().map(ToString::to_string),
        status_after: r.status_after.to_string(),
        applied: r.applied,
        reason: r.reason.as_deref(),
        evidence: r.evidence.as_ref(),
        note: r.note.clone(),
    }
}

/// Appends a payment record and, when applied, sets the payment's status.
/// Appends the record to the audit trail and, when it applied, sets the current status
/// in `table` (`payments` or `mandates`).
async fn persist<S: fmt::Display, K: fmt::Display>(
    tx: &mut Tx,
    table: StatusTable,
    r: &EventRecord<S, K>,
) -> Result<(), StoreError> {
    append_event(tx, record_event(r)).await?;
    if r.applied {
        let query = match table {
            StatusTable::Payments => "UPDATE payments SET status = ?, updated_at = ? WHERE id = ?",
            StatusTable::Mandates => "UPDATE mandates SET status = ?, updated_at = ? WHERE id = ?",
        };
        sqlx::query(query)
            .bind(r.status_after.to_string())
            .bind(ts(r.at))
            .bind(&r.entity_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum StatusTable {
    Payments,
    Mandates,
}

async fn persist_payment(tx: &mut Tx, r: &PaymentRecord) -> Result<(), StoreError> {
    persist(tx, StatusTable::Payments, r).await
}

async fn persist_mandate(tx: &mut Tx, r: &MandateRecord) -> Result<(), StoreError> {
    persist(tx, StatusTable::Mandates, r).await
}

/// An applied record must start from the stored status, or it was computed on stale data.
fn check_not_stale<S: Copy + PartialEq + fmt::Display, K>(
    what: &'static str,
    r: &EventRecord<S, K>,
    current: S,
) -> Result<(), StoreError> {
    if r.applied && r.status_before != Some(current) {
        return Err(StoreError::unexpected(
            what,
            &r.entity_id,
            format!(
                "status {} (the record's status before)",
                r.status_before.map_or("none".to_owned(), |s| s.to_string())
            ),
            format!("status {current}"),
        ));
    }
    Ok(())
}

async fn payment_status(tx: &mut Tx, id: &str) -> Result<PaymentStatus, StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM payments WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match status {
        Some(s) => parse_column("payment status", &s),
        None => Err(StoreError::NotFound {
            what: "payment",
            id: id.to_owned(),
        }),
    }
}

async fn mandate_status(tx: &mut Tx, id: &str) -> Result<Option<MandateStatus>, StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM mandates WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    status
        .map(|s| parse_column("mandate status", &s))
        .transpose()
}

/// `key → (content hash, first file name)` of the payments already recorded.
async fn known_payments(
    tx: &mut Tx,
    keys: &[&str],
) -> Result<HashMap<String, (String, String)>, StoreError> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".to_owned());
        let rows = sqlx::query(
            "SELECT p.id, p.content_sha256, f.name FROM payments p
             JOIN intake_files f ON f.id = p.intake_file_id
             WHERE p.id IN (SELECT value FROM json_each(?))",
        )
        .bind(json)
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            out.insert(
                row.try_get("id")?,
                (row.try_get("content_sha256")?, row.try_get("name")?),
            );
        }
    }
    Ok(out)
}

/// One payment row to insert.
struct PaymentInsert {
    id: String,
    kind: &'static str,
    connection: String,
    scheme: &'static str,
    account: String,
    amount_minor: i64,
    currency: &'static str,
    requested_date: Option<String>,
    mandate_id: Option<String>,
    status: &'static str,
    approvals_required: i64,
    raw_json: String,
    content_sha256: String,
}

/// The row and the state-machine records (CREATED, and APPROVED under auto approval)
/// of a new payment.
fn payment_insert(
    rec: &NewInstruction,
    key: String,
    hash: String,
    ctx: &EventContext,
) -> Result<(PaymentInsert, Vec<PaymentRecord>), StoreError> {
    let (kind, scheme, account, amount, date, mandate) = match &rec.instruction {
        Instruction::CreditTransfer(ct) => (
            "credit_transfer",
            ct.scheme,
            &ct.source_account,
            ct.amount,
            ct.requested_date,
            None,
        ),
        Instruction::DirectDebit(dd) => (
            "direct_debit",
            dd.scheme,
            &dd.source_account,
            dd.amount,
            Some(dd.requested_date),
            Some(dd.mandate.as_str().to_owned()),
        ),
        other => {
            return Err(StoreError::unexpected(
                "instruction",
                key,
                "a credit transfer or direct debit",
                other.kind(),
            ));
        }
    };
    let (mut payment, created) = Payment::create(key.clone(), ctx);
    let mut records = vec![created];
    if rec.approval == ApprovalPolicy::Auto {
        let auto = EventContext::new(Actor::System, ctx.at);
        let mut approved = payment.apply(PaymentEvent::Approved, &auto)?;
        approved.note = Some("approval policy auto".to_owned());
        records.push(approved);
    }
    Ok((
        PaymentInsert {
            id: key,
            kind,
            connection: rec.connection.clone(),
            scheme: scheme.as_str(),
            account: account.clone(),
            amount_minor: amount.minor_units(),
            currency: amount.currency().code(),
            requested_date: date.map(|d| d.to_string()),
            mandate_id: mandate,
            status: payment.status().as_str(),
            approvals_required: i64::from(rec.approval.approvals_required()),
            raw_json: rec.raw_json.clone(),
            content_sha256: hash,
        },
        records,
    ))
}

/// New payments of a file: their rows and state-machine records, events by step (every
/// CREATED, then every APPROVED), so each payment's own events keep their order and each
/// step is one run for [`bulk::prepare_events`].
struct PaymentBatch {
    rows: Vec<PaymentInsert>,
    steps: [Vec<PaymentRecord>; 2],
}

impl PaymentBatch {
    fn new<'a>(
        records: impl Iterator<Item = &'a NewInstruction>,
        ctx: &EventContext,
    ) -> Result<Self, StoreError> {
        let mut batch = PaymentBatch {
            rows: Vec::new(),
            steps: [Vec::new(), Vec::new()],
        };
        for rec in records {
            let key = rec.instruction.key().to_owned();
            let (row, records) = payment_insert(rec, key, rec.content_sha256.clone(), ctx)?;
            batch.rows.push(row);
            for (step, record) in records.into_iter().enumerate() {
                batch.steps[step.min(1)].push(record);
            }
        }
        Ok(batch)
    }

    fn events(&self) -> Vec<NewEvent<'_>> {
        self.steps.iter().flatten().map(record_event).collect()
    }
}

/// Inserts payments with explicit `seq` numbers (the writer holds the database, so
/// `max(seq) + 1` onwards is free), then their documents under the same numbers.
async fn insert_payments(
    tx: &mut Tx,
    mut rows: Vec<PaymentInsert>,
    file_id: i64,
    now: String,
) -> Result<(), StoreError> {
    let mut next: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) + 1 FROM payments")
        .fetch_one(&mut **tx)
        .await?;
    while !rows.is_empty() {
        let chunk: Vec<PaymentInsert> = rows.drain(..rows.len().min(1000)).collect();
        let first = next;
        next += chunk.len() as i64;
        let mut documents = Vec::with_capacity(chunk.len());
        let mut q: sqlx::QueryBuilder<Sqlite> = sqlx::QueryBuilder::new(
            "INSERT INTO payments (seq, id, kind, connection, scheme, source_account,
                 amount_minor, currency, requested_date, mandate_id, status,
                 approvals_required, content_sha256, intake_file_id,
                 created_at, updated_at) ",
        );
        q.push_values(chunk.into_iter().zip(first..), |mut b, (r, seq)| {
            documents.push((seq, r.raw_json));
            b.push_bind(seq)
                .push_bind(r.id)
                .push_bind(r.kind)
                .push_bind(r.connection)
                .push_bind(r.scheme)
                .push_bind(r.account)
                .push_bind(r.amount_minor)
                .push_bind(r.currency)
                .push_bind(r.requested_date)
                .push_bind(r.mandate_id)
                .push_bind(r.status)
                .push_bind(r.approvals_required)
                .push_bind(r.content_sha256)
                .push_bind(file_id)
                .push_bind(now.as_str())
                .push_bind(now.as_str());
        });
        q.build().execute(&mut **tx).await?;
        let mut q: sqlx::QueryBuilder<Sqlite> =
            sqlx::QueryBuilder::new("INSERT INTO payment_documents (seq, raw_json) ");
        q.push_values(documents, |mut b, (seq, raw_json)| {
            b.push_bind(seq).push_bind(raw_json);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// `(content hash, first file name)` of what is already recorded under a key.
async fn recorded(
    tx: &mut Tx,
    sql: &'static str,
    key: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query(sql).bind(key).fetch_optional(&mut **tx).await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

impl SqliteStore {
    async fn record_one(
        tx: &mut Tx,
        file: &IncomingFile,
        file_id: i64,
        rec: &NewInstruction,
        ctx: &EventContext,
        summary: &mut RecordSummary,
    ) -> Result<(), StoreError> {
        let key = rec.instruction.key().to_owned();
        let hash = rec.content_sha256.clone();
        let lookup = match rec.instruction.kind() {
            InstructionKind::CreditTransfer | InstructionKind::DirectDebit => {
                "SELECT p.content_sha256, f.name FROM payments p
                 JOIN intake_files f ON f.id = p.intake_file_id WHERE p.id = ?"
            }
            InstructionKind::Mandate => {
                "SELECT m.content_sha256, f.name FROM mandates m
                 JOIN intake_files f ON f.id = m.intake_file_id WHERE m.id = ?"
            }
            InstructionKind::MandateCancellation => {
                "SELECT c.content_sha256, f.name FROM mandate_cancellations c
                 JOIN intake_files f ON f.id = c.intake_file_id WHERE c.mandate_id = ?"
            }
        };
        if let Some((first_hash, first_file)) = recorded(tx, lookup, &key).await? {
            if first_hash == hash {
                summary.already_recorded.push(key);
                return Ok(());
            }
            return Err(StoreError::Conflict { key, first_file });
        }
        let now = ts(ctx.at);
        match &rec.instruction {
            Instruction::CreditTransfer(_) | Instruction::DirectDebit(_) => {
                // Payments are recorded in bulk by `record_file`.
                return Err(StoreError::unexpected(
                    "instruction",
                    key,
                    "a mandate or a cancellation",
                    rec.instruction.kind(),
                ));
            }
            Instruction::Mandate(m) => {
                let (mut mandate, created) = Mandate::create(key.clone(), ctx);
                let mut records = vec![created];
                if m.active {
                    let evidence = Evidence::default().with_source(file.name.clone());
                    let mut activated = mandate.apply(MandateEvent::Activated { evidence }, ctx)?;
                    activated.note = Some("created active".to_owned());
                    records.push(activated);
                }
                sqlx::query(
                    "INSERT INTO mandates (id, connection, scheme, creditor_account, status,
                         raw_json, content_sha256, intake_file_id, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&key)
                .bind(&rec.connection)
                .bind(m.scheme.as_str())
                .bind(&m.creditor_account)
                .bind(mandate.status().as_str())
                .bind(&rec.raw_json)
                .bind(&hash)
                .bind(file_id)
                .bind(&now)
                .bind(&now)
                .execute(&mut **tx)
                .await?;
                for r in &records {
                    persist_mandate(tx, r).await?;
                }
            }
            Instruction::MandateCancellation(c) => {
                sqlx::query(
                    "INSERT INTO mandate_cancellations (mandate_id, raw_json, content_sha256,
                         intake_file_id, recorded_at)
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&key)
                .bind(&rec.raw_json)
                .bind(&hash)
                .bind(file_id)
                .bind(&now)
                .execute(&mut **tx)
                .await?;
                match mandate_status(tx, &key).await? {
                    Some(status) => {
                        let record = Mandate::restore(key.clone(), status).apply(
                            MandateEvent::CancellationRequested {
                                reason: c.reason.clone(),
                            },
                            ctx,
                        )?;
                        persist_mandate(tx, &record).await?;
                    }
                    None => summary.unknown_mandates.push(key.clone()),
                }
            }
        }
        summary.new.push(key);
        Ok(())
    }
}

fn payment_from_row(row: &SqliteRow) -> Result<PaymentRow, StoreError> {
    let currency: Currency = parse_column("currency", &row.try_get::<String, _>("currency")?)?;
    let amount = Amount::from_minor(row.try_get("amount_minor")?, currency).map_err(|e| {
        StoreError::Corrupt {
            what: "amount",
            detail: e.to_string(),
        }
    })?;
    let date: Option<String> = row.try_get("requested_date")?;
    let approvals: String = row.try_get("approvals")?;
    let approvals: Vec<String> =
        serde_json::from_str(&approvals).map_err(|e| StoreError::Corrupt {
            what: "approvals",
            detail: e.to_string(),
        })?;
    let required: i64 = row.try_get("approvals_required")?;
    Ok(PaymentRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        connection: row.try_get("connection")?,
        scheme: parse_column("scheme", &row.try_get::<String, _>("scheme")?)?,
        source_account: row.try_get("source_account")?,
        amount,
        requested_date: date
            .map(|d| parse_column::<Date>("requested date", &d))
            .transpose()?,
        mandate_id: row.try_get("mandate_id")?,
        status: parse_column("payment status", &row.try_get::<String, _>("status")?)?,
        approvals_required: u8::try_from(required).unwrap_or(u8::MAX),
        approvals,
        raw_json: row.try_get("raw_json")?,
        content_sha256: row.try_get("content_sha256")?,
        intake_file: row.try_get("intake_file")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

fn mandate_from_row(row: &SqliteRow) -> Result<MandateRow, StoreError> {
    Ok(MandateRow {
        id: row.try_get("id")?,
        connection: row.try_get("connection")?,
        scheme: parse_column("scheme", &row.try_get::<String, _>("scheme")?)?,
        creditor_account: row.try_get("creditor_account")?,
        status: parse_column("mandate status", &row.try_get::<String, _>("status")?)?,
        raw_json: row.try_get("raw_json")?,
        content_sha256: row.try_get("content_sha256")?,
        intake_file: row.try_get("intake_file")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

fn event_from_row(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    let evidence: Option<String> = row.try_get("evidence")?;
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        event: row.try_get("event")?,
        actor: parse_column("actor", &row.try_get::<String, _>("actor")?)?,
        at: parse_ts(&row.try_get::<String, _>("at")?)?,
        status_before: row.try_get("status_before")?,
        status_after: row.try_get("status_after")?,
        applied: row.try_get("applied")?,
        reason: row.try_get("reason")?,
        evidence: evidence
            .map(|e| {
                serde_json::from_str(&e).map_err(|err| StoreError::Corrupt {
                    what: "evidence",
                    detail: err.to_string(),
                })
            })
            .transpose()?,
        note: row.try_get("note")?,
    })
}

fn statement_line_from_row(row: &SqliteRow) -> Result<StatementLine, StoreError> {
    let date: Option<String> = row.try_get("booking_date")?;
    Ok(StatementLine {
        inbound_file_id: row.try_get("inbound_file_id")?,
        account: row.try_get("account")?,
        entry_reference: row.try_get("entry_reference")?,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        credit: row.try_get("credit")?,
        booking_date: date
            .map(|d| parse_column::<Date>("booking date", &d))
            .transpose()?,
        detail: row.try_get("detail")?,
        matched_payment_id: row.try_get("matched_payment_id")?,
    })
}

impl Store for SqliteStore {
    async fn record_file(
        &self,
        file: &IncomingFile,
        records: &[NewInstruction],
        ctx: &EventContext,
    ) -> Result<RecordOutcome, StoreError> {
        // Payments in bulk (one lookup, multi-row inserts); mandates and cancellations
        // one by one (few, and a cancellation depends on its mandate's status).
        fn is_payment(r: &&NewInstruction) -> bool {
            matches!(
                r.instruction.kind(),
                InstructionKind::CreditTransfer | InstructionKind::DirectDebit
            )
        }
        let payment_keys: Vec<&str> = records
            .iter()
            .filter(is_payment)
            .map(|r| r.instruction.key())
            .collect();
        // Before the transaction (the writer is not held meanwhile): rows, state-machine
        // records and event statements for every payment, assuming all are new, as they
        // are unless a file is sent again. Redone inside when some are not.
        let distinct: HashSet<&str> = payment_keys.iter().copied().collect();
        let optimistic = if distinct.len() == payment_keys.len() {
            let batch = PaymentBatch::new(records.iter().filter(is_payment), ctx)?;
            let events = bulk::prepare_events(&batch.events())?;
            Some((batch, events))
        } else {
            None
        };
        let mut tx = self.begin().await?;
        let first = sqlx::query("SELECT name, received_at FROM intake_files WHERE sha256 = ?")
            .bind(&file.sha256)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = first {
            return Ok(RecordOutcome::DuplicateFile {
                first_name: row.try_get("name")?,
                first_received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
            });
        }
        let file_id: i64 = sqlx::query_scalar(
            "INSERT INTO intake_files (name, sha256, size, received_at, recorded_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&file.name)
        .bind(&file.sha256)
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(ts(file.received_at))
        .bind(ts(ctx.at))
        .fetch_one(&mut *tx)
        .await?;
        let mut summary = RecordSummary::default();
        let mut known = known_payments(&mut tx, &payment_keys).await?;
        let (batch, mut events) = match optimistic {
            Some(prepared) if known.is_empty() => prepared,
            _ => {
                // Some were recorded before: same content is idempotent, other content
                // a conflict; the rest are recorded.
                let mut new = Vec::with_capacity(payment_keys.len());
                for rec in records.iter().filter(is_payment) {
                    let key = rec.instruction.key();
                    if let Some((first_hash, first_file)) = known.get(key) {
                        if *first_hash == rec.content_sha256 {
                            summary.already_recorded.push(key.to_owned());
                            continue;
                        }
                        return Err(StoreError::Conflict {
                            key: key.to_owned(),
                            first_file: first_file.clone(),
                        });
                    }
                    known.insert(
                        key.to_owned(),
                        (rec.content_sha256.clone(), file.name.clone()),
                    );
                    new.push(rec);
                }
                let batch = PaymentBatch::new(new.into_iter(), ctx)?;
                let events = bulk::prepare_events(&batch.events())?;
                (batch, events)
            }
        };
        // `summary.new` lists the new instructions in file order: the payments of the batch
        // and the mandates and cancellations `record_one` found new, by position.
        let mut new_at = vec![false; records.len()];
        let mut next_row = 0;
        for (position, rec) in records.iter().enumerate() {
            if is_payment(&rec) {
                if batch.rows.get(next_row).map(|r| r.id.as_str()) == Some(rec.instruction.key()) {
                    next_row += 1;
                    new_at[position] = true;
                }
            } else {
                let before = summary.new.len();
                Self::record_one(&mut tx, file, file_id, rec, ctx, &mut summary).await?;
                new_at[position] = summary.new.len() > before;
            }
        }
        summary.new = records
            .iter()
            .zip(&new_at)
            .filter(|(_, new)| **new)
            .map(|(rec, _)| rec.instruction.key().to_owned())
            .collect();
        insert_payments(&mut tx, batch.rows, file_id, ts(ctx.at)).await?;
        bulk::execute(&mut tx, &mut events).await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "INTAKE_FILE",
                entity_id: &file.name,
                event: "RECORDED".to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: "RECORDED".to_owned(),
                applied: true,
                reason: None,
                evidence: None,
                note: Some(format!(
                    "sha256 {}, {} bytes: {} new, {} already recorded",
                    file.sha256,
                    file.size,
                    summary.new.len(),
                    summary.already_recorded.len()
                )),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(RecordOutcome::Recorded(summary))
    }

    async fn approve(
        &self,
        ids: &[String],
        approver: &str,
        ctx: &EventContext,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let mut out = Vec::new();
        for id in ids {
            let status = payment_status(&mut tx, id).await?;
            let required: i64 =
                sqlx::query_scalar("SELECT approvals_required FROM payments WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let before: Vec<String> = sqlx::query_scalar(
                "SELECT approver FROM approvals WHERE payment_id = ? ORDER BY rowid",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let mut payment = Payment::restore(id.clone(), status);
            let record = if status == PaymentStatus::Created {
                if before.iter().any(|a| a == approver) {
                    return Err(StoreError::SameApprover {
                        id: id.clone(),
                        approver: approver.to_owned(),
                    });
                }
                sqlx::query("INSERT INTO approvals (payment_id, approver, at) VALUES (?, ?, ?)")
                    .bind(id)
                    .bind(approver)
                    .bind(ts(ctx.at))
                    .execute(&mut *tx)
                    .await?;
                let count = before.len() as i64 + 1;
                let note = format!("approval {count} of {} by {approver}", required.max(1));
                if count < required {
                    EventRecord {
                        entity: EntityKind::Payment,
                        entity_id: id.clone(),
                        event: PaymentEventKind::Approved,
                        actor: ctx.actor.clone(),
                        at: ctx.at,
                        status_before: Some(status),
                        status_after: status,
                        applied: false,
                        reason: None,
                        evidence: None,
                        note: Some(format!("{note}; another approver is needed")),
                    }
                } else {
                    let mut r = payment.apply(PaymentEvent::Approved, ctx)?;
                    r.note = Some(note);
                    r
                }
            } else {
                payment.apply(PaymentEvent::Approved, ctx)?
            };
            persist_payment(&mut tx, &record).await?;
            out.push(record);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn reject(
        &self,
        ids: &[String],
        reason: Option<&str>,
        ctx: &EventContext,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let mut out = Vec::new();
        for id in ids {
            let status = payment_status(&mut tx, id).await?;
            let record = Payment::restore(id.clone(), status).apply(
                PaymentEvent::Rejected {
                    reason: reason.map(str::to_owned),
                },
                ctx,
            )?;
            persist_payment(&mut tx, &record).await?;
            out.push(record);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn claim_for_submission(
        &self,
        connection: &str,
        schemes: &[Scheme],
        limit: usize,
        ctx: &EventContext,
    ) -> Result<Vec<ClaimedPayment>, StoreError> {
        let schemes: Vec<&str> = schemes.iter().map(|s| s.as_str()).collect();
        let schemes = serde_json::to_string(&schemes).unwrap_or_else(|_| "[]".to_owned());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // Optimistic: the candidates are read, and their state-machine records and event
        // statements built, on a reader, without the writer; the transaction then only
        // moves them, guarded on their status. Should any have changed meanwhile, the
        // candidates are read again inside the transaction, where the move cannot miss.
        let mut inside: Option<Tx> = None;
        loop {
            let candidates = sqlx::query(CLAIM_CANDIDATES)
                .bind(connection)
                .bind(&schemes)
                .bind(limit);
            let rows = match inside.as_mut() {
                Some(tx) => candidates.fetch_all(&mut **tx).await?,
                None => candidates.fetch_all(&self.readers).await?,
            };
            let (out, records) = claim_records(&rows, ctx)?;
            if out.is_empty() {
                return Ok(out);
            }
            let ids: Vec<&str> = out.iter().map(|c| c.id.as_str()).collect();
            let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
            let events: Vec<NewEvent<'_>> = records.iter().map(record_event).collect();
            let mut events = bulk::prepare_events(&events)?;
            let read_inside = inside.is_some();
            let mut tx = match inside.take() {
                Some(tx) => tx,
                None => self.begin().await?,
            };
            let claim = (PaymentStatus::Approved, PaymentStatus::PendingSubmission);
            if bulk::move_payments_if_all(&mut tx, &ids, out.len(), claim, ctx.at, &mut events)
                .await?
            {
                tx.commit().await?;
                return Ok(out);
            }
            tx.rollback().await?;
            if read_inside {
                return Err(StoreError::unexpected(
                    "claim",
                    connection,
                    "the APPROVED payments read in the same transaction to move",
                    "some of them in another status",
                ));
            }
            inside = Some(self.begin().await?);
        }
    }

    async fn record_outbound_file(
        &self,
        file: &OutboundFile,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        // Built before the writer is taken: the payment list and its rows.
        let ids: Vec<&str> = file
            .transactions
            .iter()
            .map(|t| t.payment_id.as_str())
            .collect();
        let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
        let rows = serde_json::to_string(
            &file
                .transactions
                .iter()
                .map(|t| {
                    [
                        t.payment_id.as_str(),
                        t.end_to_end_id.as_str(),
                        t.payment_information_id.as_str(),
                    ]
                })
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".to_owned());
        let mut tx = self.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT state FROM outbound_files WHERE message_id = ?")
                .bind(&file.message_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(state) = existing {
            return Err(StoreError::unexpected(
                "outbound file",
                &file.message_id,
                "a new MsgId",
                format!("a file already recorded, state {state}"),
            ));
        }
        let now = ts(ctx.at);
        sqlx::query(
            "INSERT INTO outbound_files (message_id, connection, name, sha256, size, archive,
                 state, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&file.message_id)
        .bind(&file.connection)
        .bind(&file.name)
        .bind(&file.sha256)
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(&file.archive)
        .bind(FileState::Built.as_str())
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        // Every payment must be PENDING_SUBMISSION: counted here, looked at one by one
        // only when the count is off (to name the payment in the error).
        let pending: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM payments
             WHERE id IN (SELECT value FROM json_each(?)) AND status = 'PENDING_SUBMISSION'",
        )
        .bind(&json)
        .fetch_one(&mut *tx)
        .await?;
        let all_pending = usize::try_from(pending).ok() == Some(ids.len());
        let statuses = if all_pending {
            HashMap::new()
        } else {
            bulk::statuses(&mut tx, StatusTable::Payments, &ids).await?
        };
        for id in ids.iter().filter(|_| !all_pending) {
            match statuses.get(*id).map(String::as_str) {
                Some("PENDING_SUBMISSION") => {}
                Some(other) => {
                    return Err(StoreError::unexpected(
                        "payment",
                        *id,
                        "status PENDING_SUBMISSION (claimed for this file)",
                        format!("status {other}"),
                    ));
                }
                None => {
                    return Err(StoreError::NotFound {
                        what: "payment",
                        id: (*id).to_owned(),
                    });
                }
            }
        }
        let carried: Option<(String, String)> = sqlx::query_as(
            "SELECT payment_id, message_id FROM outbound_file_payments
             WHERE payment_id IN (SELECT value FROM json_each(?)) LIMIT 1",
        )
        .bind(json)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((payment, other)) = carried {
            return Err(StoreError::unexpected(
                "payment",
                payment,
                "a payment no outbound file carries",
                format!("carried by file {other}"),
            ));
        }
        // One statement for the file's payments: position, payment, EndToEndId, PmtInfId.
        sqlx::query(
            "INSERT INTO outbound_file_payments (message_id, position, payment_id,
                 end_to_end_id, payment_information_id)
             SELECT ?, key, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
        )
        .bind(&file.message_id)
        .bind(&rows)
        .execute(&mut *tx)
        .await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "OUTBOUND_FILE",
                entity_id: &file.message_id,
                event: "BUILT".to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: FileState::Built.as_str().to_owned(),
                applied: true,
                reason: None,
                evidence: None,
                note: Some(format!(
                    "{} (sha256 {}, {} bytes, {} payments) for {}",
                    file.name,
                    file.sha256,
                    file.size,
                    file.transactions.len(),
                    file.connection
                )),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_outbound_file_state(
        &self,
        message_id: &str,
        from: FileState,
        to: FileState,
        reason: Option<&str>,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let Some(state) = engine::file_state(&mut tx, message_id).await? else {
            return Err(StoreError::NotFound {
                what: "outbound file",
                id: message_id.to_owned(),
            });
        };
        if state != from {
            return Err(StoreError::unexpected(
                "outbound file",
                message_id,
                format!("state {from}"),
                format!("state {state}"),
            ));
        }
        if !from.allows(to) {
            let legal: Vec<&str> = FileState::ALL
                .iter()
                .filter(|s| from.allows(**s))
                .map(|s| s.as_str())
                .collect();
            let expected = if legal.is_empty() {
                format!("no move from final state {from}")
            } else {
                format!("a move from {from} to {}", legal.join(" or "))
            };
            return Err(StoreError::unexpected(
                "outbound file",
                message_id,
                expected,
                format!("{from} to {to}"),
            ));
        }
        engine::write_file_state(&mut tx, message_id, from, to, reason, ctx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outbound_files(
        &self,
        filter: &OutboundFilter,
    ) -> Result<Vec<OutboundFileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.*, (SELECT json_group_array(json_array(payment_id, end_to_end_id,
                             payment_information_id)) FROM
                     (SELECT * FROM outbound_file_payments p
                      WHERE p.message_id = o.message_id ORDER BY position)) AS transactions
             FROM outbound_files o
             WHERE (?1 IS NULL OR o.connection = ?1) AND (?2 IS NULL OR o.state = ?2)
             ORDER BY o.created_at, o.rowid LIMIT ?3",
        )
        .bind(filter.connection.as_deref())
        .bind(filter.state.map(FileState::as_str))
        .bind(limit(filter.limit))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(outbound_file_from_row).collect()
    }

    async fn outbound_file(&self, message_id: &str) -> Result<Option<OutboundFileRow>, StoreError> {
        let row = sqlx::query(
            "SELECT o.*, (SELECT json_group_array(json_array(payment_id, end_to_end_id,
                             payment_information_id)) FROM
                     (SELECT * FROM outbound_file_payments p
                      WHERE p.message_id = o.message_id ORDER BY position)) AS transactions
             FROM outbound_files o WHERE o.message_id = ?",
        )
        .bind(message_id)
        .fetch_optional(&self.readers)
        .await?;
        row.as_ref().map(outbound_file_from_row).transpose()
    }

    async fn payment_documents(&self, ids: &[&str]) -> Result<HashMap<String, String>, StoreError> {
        self.payment_documents_impl(ids).await
    }

    async fn unfiled_payments(&self, connection: &str) -> Result<Vec<ClaimedPayment>, StoreError> {
        self.unfiled_payments_impl(connection).await
    }

    async fn record_upload(
        &self,
        message_id: &str,
        from: FileState,
        ctx: &EventContext,
    ) -> Result<usize, StoreError> {
        self.record_upload_impl(message_id, from, ctx).await
    }

    async fn inbound_files(
        &self,
        connection: Option<&str>,
        limit: usize,
    ) -> Result<Vec<InboundFileRow>, StoreError> {
        self.inbound_files_impl(connection, limit).await
    }

    async fn sent_payments(&self, connection: &str) -> Result<Vec<SentPayment>, StoreError> {
        self.sent_payments_impl(connection).await
    }

    async fn inbound_seen(
        &self,
        connection: &str,
        name: &str,
        size: u64,
        mtime: i64,
    ) -> Result<bool, StoreError> {
        self.inbound_seen_impl(connection, name, size, mtime).await
    }

    async fn record_inbound(
        &self,
        record: &InboundRecord,
        ctx: &EventContext,
    ) -> Result<InboundOutcome, StoreError> {
        self.record_inbound_impl(record, ctx).await
    }

    async fn request_trigger(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        self.request_trigger_impl(connection, ctx).await
    }

    async fn take_triggers(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> Result<usize, StoreError> {
        self.take_triggers_impl(connection, ctx).await
    }

    async fn record_system_event(
        &self,
        event: &str,
        note: &str,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        self.record_system_event_impl(event, note, ctx).await
    }

    async fn apply_payment_events(&self, records: &[PaymentRecord]) -> Result<(), StoreError> {
        if let Some(r) = records
            .iter()
            .find(|r| r.event == PaymentEventKind::Created)
        {
            return Err(StoreError::unexpected(
                "payment",
                &r.entity_id,
                "an event after CREATED (payments are created by record_file)",
                "CREATED",
            ));
        }
        let mut tx = self.begin().await?;
        bulk::persist_many(&mut tx, StatusTable::Payments, "payment", records, false).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn apply_mandate_events(&self, records: &[MandateRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for r in records {
            let status = mandate_status(&mut tx, &r.entity_id)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "mandate",
                    id: r.entity_id.clone(),
                })?;
            if r.status_before.is_none() {
                return Err(StoreError::unexpected(
                    "mandate",
                    &r.entity_id,
                    "an event after CREATED (mandates are created by record_file)",
                    r.event,
                ));
            }
            check_not_stale("mandate", r, status)?;
            persist_mandate(&mut tx, r).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn force_payment_status(
        &self,
        id: &str,
        to: PaymentStatus,
        reason: &str,
        ctx: &EventContext,
    ) -> Result<PaymentRecord, StoreError> {
        let mut tx = self.begin().await?;
        let status = payment_status(&mut tx, id).await?;
        let record = Payment::restore(id, status).apply(
            PaymentEvent::OperatorForceUpdate {
                to,
                reason: reason.to_owned(),
            },
            ctx,
        )?;
        persist_payment(&mut tx, &record).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn force_mandate_status(
        &self,
        id: &str,
        to: MandateStatus,
        reason: &str,
        ctx: &EventContext,
    ) -> Result<MandateRecord, StoreError> {
        let mut tx = self.begin().await?;
        let status = mandate_status(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "mandate",
                id: id.to_owned(),
            })?;
        let record = Mandate::restore(id, status).apply(
            MandateEvent::OperatorForceUpdate {
                to,
                reason: reason.to_owned(),
            },
            ctx,
        )?;
        persist_mandate(&mut tx, &record).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn record_inbound_file(
        &self,
        file: &InboundFile,
        ctx: &EventContext,
    ) -> Result<InboundOutcome, StoreError> {
        let mut tx = self.begin().await?;
        if let Some(duplicate) = engine::inbound_duplicate(&mut tx, &file.sha256).await? {
            return Ok(duplicate);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inbound_files (connection, name, sha256, size, message, received_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&file.connection)
        .bind(&file.name)
        .bind(&file.sha256)
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(&file.message)
        .bind(ts(file.received_at))
        .fetch_one(&mut *tx)
        .await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "INBOUND_FILE",
                entity_id: &file.name,
                event: "RECEIVED".to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: "RECEIVED".to_owned(),
                applied: true,
                reason: None,
                evidence: None,
                note: Some(format!(
                    "{} from {} (sha256 {}, {} bytes)",
                    file.message, file.connection, file.sha256, file.size
                )),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(InboundOutcome::New { id })
    }

    async fn record_statement_lines(&self, lines: &[StatementLine]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_statement_lines(&mut tx, None, lines).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn statement_lines(
        &self,
        unmatched_only: bool,
    ) -> Result<Vec<StatementLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM statement_lines
             WHERE ?1 = 0 OR matched_payment_id IS NULL ORDER BY seq",
        )
        .bind(unmatched_only)
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(statement_line_from_row).collect()
    }

    async fn payments(&self, filter: &PaymentFilter) -> Result<Vec<PaymentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.*, d.raw_json, f.name AS intake_file,
                    (SELECT json_group_array(approver) FROM
                        (SELECT approver FROM approvals a WHERE a.payment_id = p.id
                         ORDER BY a.rowid)) AS approvals
             FROM payments p JOIN intake_files f ON f.id = p.intake_file_id
             JOIN payment_documents d ON d.seq = p.seq
             WHERE (?1 IS NULL OR p.status = ?1) AND (?2 IS NULL OR p.connection = ?2)
             ORDER BY p.seq LIMIT ?3",
        )
        .bind(filter.status.map(PaymentStatus::as_str))
        .bind(filter.connection.as_deref())
        .bind(limit(filter.limit))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(payment_from_row).collect()
    }

    async fn payment(&self, id: &str) -> Result<Option<PaymentRow>, StoreError> {
        let row = sqlx::query(
            "SELECT p.*, d.raw_json, f.name AS intake_file,
                    (SELECT json_group_array(approver) FROM
                        (SELECT approver FROM approvals a WHERE a.payment_id = p.id
                         ORDER BY a.rowid)) AS approvals
             FROM payments p JOIN intake_files f ON f.id = p.intake_file_id
             JOIN payment_documents d ON d.seq = p.seq
             WHERE p.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.readers)
        .await?;
        row.as_ref().map(payment_from_row).transpose()
    }

    async fn mandates(&self, filter: &MandateFilter) -> Result<Vec<MandateRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.*, f.name AS intake_file
             FROM mandates m JOIN intake_files f ON f.id = m.intake_file_id
             WHERE (?1 IS NULL OR m.status = ?1) AND (?2 IS NULL OR m.connection = ?2)
             ORDER BY m.seq LIMIT ?3",
        )
        .bind(filter.status.map(MandateStatus::as_str))
        .bind(filter.connection.as_deref())
        .bind(limit(filter.limit))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(mandate_from_row).collect()
    }

    async fn mandate(&self, id: &str) -> Result<Option<MandateRow>, StoreError> {
        let row = sqlx::query(
            "SELECT m.*, f.name AS intake_file
             FROM mandates m JOIN intake_files f ON f.id = m.intake_file_id WHERE m.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.readers)
        .await?;
        row.as_ref().map(mandate_from_row).transpose()
    }

    async fn events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM events WHERE (?1 IS NULL OR entity_id = ?1) ORDER BY seq LIMIT ?2",
        )
        .bind(filter.entity_id.as_deref())
        .bind(limit(filter.limit))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(event_from_row).collect()
    }
}

fn outbound_file_from_row(row: &SqliteRow) -> Result<OutboundFileRow, StoreError> {
    let transactions: String = row.try_get("transactions")?;
    let transactions: Vec<(String, String, String)> =
        serde_json::from_str(&transactions).map_err(|e| StoreError::Corrupt {
            what: "outbound file payments",
            detail: e.to_string(),
        })?;
    let size: i64 = row.try_get("size")?;
    Ok(OutboundFileRow {
        file: OutboundFile {
            message_id: row.try_get("message_id")?,
            connection: row.try_get("connection")?,
            name: row.try_get("name")?,
            sha256: row.try_get("sha256")?,
            size: u64::try_from(size).unwrap_or_default(),
            transactions: transactions
                .into_iter()
                .map(
                    |(payment_id, end_to_end_id, payment_information_id)| FileTransaction {
                        payment_id,
                        end_to_end_id,
                        payment_information_id,
                    },
                )
                .collect(),
            archive: row.try_get("archive")?,
        },
        state: parse_column("outbound file state", &row.try_get::<String, _>("state")?)?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// Inserts statement lines, all for `file_id` when given, else each for its own
/// `inbound_file_id`.
async fn insert_statement_lines(
    tx: &mut Tx,
    file_id: Option<i64>,
    lines: &[StatementLine],
) -> Result<(), StoreError> {
    for l in lines {
        sqlx::query(
            "INSERT INTO statement_lines (inbound_file_id, account, entry_reference,
                 amount_minor, currency, credit, booking_date, detail, matched_payment_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(file_id.unwrap_or(l.inbound_file_id))
        .bind(&l.account)
        .bind(&l.entry_reference)
        .bind(l.amount_minor)
        .bind(&l.currency)
        .bind(l.credit)
        .bind(l.booking_date.map(|d| d.to_string()))
        .bind(l.detail.as_deref())
        .bind(l.matched_payment_id.as_deref())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
