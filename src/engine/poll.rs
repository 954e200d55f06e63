//! Polling: the bank's files come in, are archived, parsed, reconciled and recorded.
//!
//! A remote file is known by (name, size, mtime) in the inbound ledger, so a file the
//! bank leaves on the server is downloaded and processed once. A file whose downloaded
//! size differs from the listed size is still being written: it is skipped this round,
//! never processed partially. A file that cannot be parsed is quarantined (recorded with
//! the reason, archived, alert logged) and never retried automatically.

use std::io::Cursor;

use jiff::Timestamp;
use tracing::{error, info, warn};

use super::EngineError;
use super::reconcile::{
    self, BankBehaviour, Book, OutboundMandate, OutboundPayment, Reconciliation,
};
use crate::config::Connection;
use crate::domain::event::{Actor, EventContext};
use crate::domain::money::{Amount, Currency};
use crate::iso20022::camt::AccountReportReader;
use crate::iso20022::pain002::StatusReportReader;
use crate::iso20022::read::{XmlLimits, XmlReader};
use crate::iso20022::report::{CreditDebit, StatementItem, StatusItem};
use crate::store::archive::Archive;
use crate::store::{FileState, InboundFile, InboundOutcome, InboundRecord, StatementLine, Store};
use crate::transport::{Disposal, RemoteEntry, Transport};

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub processed: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub skipped: usize,
}

/// Fetches and processes every new file in the connection's inbound directory.
pub async fn poll<S: Store, T: Transport>(
    store: &S,
    transport: &T,
    archive: &Archive,
    connection: &Connection,
) -> Result<PollReport, EngineError> {
    let mut report = PollReport::default();
    for entry in transport.list_inbound().await? {
        let mtime = entry.modified.unwrap_or(0);
        if store
            .inbound_seen(&connection.id, &entry.name, entry.size, mtime)
            .await?
        {
            // Processed before; finish its disposal if that failed last time.
            if connection.after_fetch != Disposal::Leave {
                transport
                    .dispose(&entry.name, &connection.after_fetch)
                    .await?;
            }
            continue;
        }
        let bytes = transport
            .download(&entry.name, connection.max_inbound_bytes)
            .await?;
        if bytes.len() as u64 != entry.size {
            info!(connection = %connection.id, file = %entry.name, listed = entry.size, downloaded = bytes.len(),
                "Bank file changed size while fetching; it is still being written, trying again next poll.");
            report.skipped += 1;
            continue;
        }
        match process(store, archive, connection, &entry, &bytes).await? {
            Processed::New { quarantined } => {
                if quarantined {
                    report.quarantined += 1;
                } else {
                    report.processed += 1;
                }
            }
            Processed::Duplicate => report.duplicates += 1,
        }
        transport
            .dispose(&entry.name, &connection.after_fetch)
            .await?;
    }
    Ok(report)
}

enum Processed {
    New { quarantined: bool },
    Duplicate,
}

async fn process<S: Store>(
    store: &S,
    archive: &Archive,
    connection: &Connection,
    entry: &RemoteEntry,
    bytes: &[u8],
) -> Result<Processed, EngineError> {
    let now = Timestamp::now();
    // The archive hashes the bytes as it writes them: its SHA-256 is the file's.
    let archived = archive
        .store(bytes)
        .map_err(|e| EngineError::Archive(e.to_string()))?;
    let ctx = EventContext::new(Actor::Bank(connection.id.clone()), now);
    let book = load_book(store, &connection.id).await?;
    let (message, outcome) = match reconcile_file(book, bytes, &ctx, &entry.name) {
        Ok(done) => (done.0, Ok(done.1)),
        Err((message, reason)) => (message, Err(reason)),
    };
    let mut record = InboundRecord {
        file: InboundFile {
            connection: connection.id.clone(),
            name: entry.name.clone(),
            sha256: archived.sha256.clone(),
            size: bytes.len() as u64,
            message,
            received_at: now,
        },
        remote_size: entry.size,
        remote_mtime: entry.modified.unwrap_or(0),
        archive: archived.address,
        quarantine: None,
        payment_records: Vec::new(),
        mandate_records: Vec::new(),
        lines: Vec::new(),
        file_states: Vec::new(),
    };
    match outcome {
        Ok((reconciliation, file_states)) => {
            for flag in &reconciliation.flags {
                warn!(connection = %connection.id, file = %entry.name, flag = ?flag.kind, reference = %flag.reference,
                    payment = ?flag.payment_id, expected = ?flag.expected, actual = ?flag.actual,
                    "Bank report needs an operator's review.");
            }
            record.lines = statement_lines(&reconciliation);
            record.payment_records = reconciliation.payment_records;
            record.mandate_records = reconciliation.mandate_records;
            record.file_states = file_states;
        }
        Err(reason) => {
            error!(connection = %connection.id, file = %entry.name, reason = %reason,
                "ALERT: bank file cannot be processed; quarantined for an operator.");
            record.quarantine = Some(reason);
        }
    }
    let quarantined = record.quarantine.is_some();
    let changes = record.payment_records.iter().filter(|r| r.applied).count();
    match store.record_inbound(&record, &ctx).await? {
        InboundOutcome::New { .. } => {
            if !quarantined {
                info!(connection = %connection.id, file = %entry.name, message = %record.file.message,
                    status_changes = changes, "Bank file processed.");
            }
            Ok(Processed::New { quarantined })
        }
        InboundOutcome::Duplicate { first_name, .. } => {
            info!(connection = %connection.id, file = %entry.name, first = %first_name,
                "Bank file has the same content as one processed before; nothing applied.");
            Ok(Processed::Duplicate)
        }
    }
}

async fn load_book<S: Store>(store: &S, connection: &str) -> Result<Book, EngineError> {
    let mut book = Book::new(BankBehaviour::default());
    let mut mandates: Vec<String> = Vec::new();
    for p in store.sent_payments(connection).await? {
        if let Some(m) = &p.mandate_id
            && !mandates.contains(m)
        {
            mandates.push(m.clone());
        }
        book.add_payment(OutboundPayment {
            id: p.id,
            end_to_end_id: p.end_to_end_id,
            instruction_id: None,
            message_id: p.message_id,
            payment_information_id: p.payment_information_id,
            amount: p.amount,
            kind: p.scheme.kind(),
            mandate_id: p.mandate_id,
            status: p.status,
        });
    }
    for id in mandates {
        if let Some(m) = store.mandate(&id).await? {
            book.add_mandate(OutboundMandate {
                id: m.id,
                status: m.status,
            });
        }
    }
    Ok(book)
}

type Reconciled = (Reconciliation, Vec<(String, FileState)>);

/// Parses and reconciles one file: `(message name, result)` or `(message name, reason
/// to quarantine)`.
fn reconcile_file(
    mut book: Book,
    bytes: &[u8],
    ctx: &EventContext,
    source: &str,
) -> Result<(String, Reconciled), (String, String)> {
    let message = XmlReader::new(Cursor::new(bytes), XmlLimits::default())
        .document()
        .map_err(|e| ("unknown".to_owned(), e.to_string()))?;
    let name = message.version.clone();
    match message.family.as_str() {
        "pain.002" => {
            let reader = StatusReportReader::open(Cursor::new(bytes), XmlLimits::default())
                .map_err(|e| (name.clone(), e.to_string()))?;
            let items: Vec<StatusItem> = reader
                .collect::<Result<_, _>>()
                .map_err(|e| (name.clone(), e.to_string()))?;
            let mut file_states = Vec::new();
            for item in &items {
                if let StatusItem::Group(g) = item {
                    let to = match g.status.as_deref() {
                        Some("RJCT") => Some(FileState::RejectedByBank),
                        Some(_) => Some(FileState::Acknowledged),
                        None => None,
                    };
                    if let Some(to) = to {
                        file_states.push((g.original_message_id.clone(), to));
                    }
                }
            }
            let r = reconcile::apply_status_report(&mut book, items, ctx, source);
            Ok((name, (r, file_states)))
        }
        "camt.052" | "camt.053" | "camt.054" => {
            let reader = AccountReportReader::open(Cursor::new(bytes), XmlLimits::default())
                .map_err(|e| (name.clone(), e.to_string()))?;
            let items: Vec<StatementItem> = reader
                .collect::<Result<_, _>>()
                .map_err(|e| (name.clone(), e.to_string()))?;
            let kind = items
                .iter()
                .find_map(|i| match i {
                    StatementItem::Statement(h) => Some(h.kind),
                    StatementItem::Entry(_) => None,
                })
                .ok_or_else(|| {
                    (
                        name.clone(),
                        "no statement or notification in the file".to_owned(),
                    )
                })?;
            let r = reconcile::apply_account_report(&mut book, kind, items, ctx, source);
            Ok((name, (r, Vec::new())))
        }
        other => Err((
            name.clone(),
            format!("expected pain.002, camt.052, camt.053 or camt.054, got {other}"),
        )),
    }
}

/// The unmatched booked lines, kept for operators.
fn statement_lines(r: &Reconciliation) -> Vec<StatementLine> {
    r.unmatched
        .iter()
        .filter_map(|line| {
            let currency: Currency = line.amount.currency.parse().ok()?;
            let text = line.amount.value.to_string();
            let amount = Amount::parse(&text, currency).ok()?;
            Some(StatementLine {
                inbound_file_id: 0,
                account: line.account.clone(),
                entry_reference: line.entry_reference.clone(),
                amount_minor: amount.minor_units(),
                currency: line.amount.currency.clone(),
                credit: line.credit_debit == CreditDebit::Credit,
                booking_date: line.booking_date,
                detail: serde_json::to_string(&line.references).ok(),
                matched_payment_id: None,
            })
        })
        .collect()
}
