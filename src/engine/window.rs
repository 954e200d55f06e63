//! A window: approved payments become `PENDING_SUBMISSION`, are grouped into files, and
//! each file is archived and recorded `BUILT` (with its deterministic `MsgId`) before
//! anything leaves the host.
//!
//! Crash safety: claiming is one transaction, recording a file another. A crash between
//! them leaves payments `PENDING_SUBMISSION` that no file carries; the first window after
//! a start (and the next one after a failed window) takes those first
//! ([`Store::unfiled_payments`]), so nothing is lost and, since a payment can be carried
//! by one file only (a unique index), nothing is sent twice.
//!
//! # Execution dates (policy)
//! Each payment's execution (or collection) date is computed with
//! [`settlement_dates`] from its requested date, the window's cut-off and the scheme's
//! calendar. When the requested date can no longer be met, the connection's
//! `late_payments` decides: `move` (default) sends it for the earliest possible date and
//! notes the move on the payment's `SUBMISSION_STARTED` history; `fail` refuses it
//! (`SUBMISSION_REFUSED` → `FAILED`), before anything is sent.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde_json::Value;
use tracing::{info, warn};

use super::EngineError;
use super::handoff::Handoff;
use crate::config::{Config, Connection, LatePolicy};
use crate::domain::calendar::Calendars;
use crate::domain::event::{Actor, EventContext};
use crate::domain::instruction::Instruction;
use crate::domain::payment::{Payment, PaymentEvent, PaymentStatus};
use crate::domain::scheme::Scheme;
use crate::domain::timing::{CutOff, TimingError, TimingRequest, settlement_dates};
use crate::intake::AccountBook;
use crate::intake::instruction::read_record;
use crate::iso20022::{self, RenderInput, ids};
use crate::store::archive::Archive;
use crate::store::{FileTransaction, OutboundFile, Store};

/// Most payments one window claims (more wait for the next window or tick).
pub const CLAIM_LIMIT: usize = 50_000;

/// What a window did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WindowReport {
    /// `MsgId`s of the files recorded.
    pub files: Vec<String>,
    pub payments: usize,
    /// Payments sent for a later date than requested.
    pub moved: usize,
    /// Payments refused (`SUBMISSION_REFUSED`).
    pub refused: usize,
}

/// Everything a window needs.
pub struct Context<'a, S> {
    pub store: &'a S,
    pub config: &'a Config,
    pub connection: &'a Connection,
    pub archive: &'a Archive,
    pub calendars: &'a Calendars,
    /// Instructions intake parsed a moment ago; what is not there is read from the store.
    pub handoff: Option<&'a Handoff>,
    /// Whether to look for payments an earlier window claimed but did not file (after a
    /// start or a failed window; a window that succeeds leaves none).
    pub unfiled: bool,
}

/// Runs one window for `schemes` (plus, when `cx.unfiled`, any payments an earlier window
/// left unfiled).
pub async fn run<S: Store>(
    cx: &Context<'_, S>,
    schemes: &[Scheme],
    cut_off: &CutOff,
    now: Timestamp,
) -> Result<WindowReport, EngineError> {
    let connection = &cx.connection.id;
    let ctx = EventContext::new(Actor::System, now);
    let mut payments = if cx.unfiled {
        cx.store.unfiled_payments(connection).await?
    } else {
        Vec::new()
    };
    if !payments.is_empty() {
        info!(connection = %connection, payments = payments.len(), "Filing payments an earlier window claimed.");
    }
    let claimed = cx
        .store
        .claim_for_submission(connection, schemes, CLAIM_LIMIT, &ctx)
        .await?;
    super::crash_point("after_claim");
    payments.extend(claimed);
    let mut report = WindowReport::default();
    if payments.is_empty() {
        return Ok(report);
    }
    let accounts = AccountBook::from_config(cx.config);
    let handed = match cx.handoff {
        Some(handoff) => handoff.take(payments.iter().map(|p| p.id.as_str())),
        None => vec![None; payments.len()],
    };
    // What intake did not hand over is read again from its stored JSON.
    let missing: Vec<&str> = payments
        .iter()
        .zip(&handed)
        .filter(|(_, h)| h.is_none())
        .map(|(p, _)| p.id.as_str())
        .collect();
    let mut documents = if missing.is_empty() {
        HashMap::new()
    } else {
        cx.store.payment_documents(&missing).await?
    };
    let mut handed = handed.into_iter();
    let mut refused: Vec<(String, String)> = Vec::new();
    // Payments ready for a file (dates settled); a payment's id is its instruction's key.
    let mut ready: Vec<Instruction> = Vec::new();
    let mut mandates: HashMap<String, Instruction> = HashMap::new();
    for payment in payments {
        let parsed = match handed.next().flatten() {
            Some(instruction) => Ok(instruction),
            None => match documents.remove(&payment.id) {
                Some(json) => reread(&accounts, &json),
                None => Err("its stored instruction is missing".to_owned()),
            },
        };
        match parsed.and_then(|instruction| prepare(cx, instruction, cut_off, now)) {
            Ok((instruction, moved)) => {
                if let Some(to) = moved {
                    report.moved += 1;
                    info!(connection = %connection, payment = %payment.id, requested = ?payment.requested_date, executes = %to,
                        "Payment's requested date can no longer be met; sending it for the earliest possible date.");
                }
                if let Some(id) = &payment.mandate_id
                    && !mandates.contains_key(id)
                {
                    match mandate_instruction(cx, &accounts, id).await? {
                        Some(m) => {
                            mandates.insert(id.clone(), m);
                        }
                        None => {
                            refused.push((
                                payment.id.clone(),
                                format!("mandate {id} is not recorded"),
                            ));
                            continue;
                        }
                    }
                }
                ready.push(instruction);
            }
            Err(reason) => refused.push((payment.id, reason)),
        }
    }
    // One file per kind (and per direct-debit scheme: CORE and B2B never mix), in
    // payment-id order, at most max_payments_per_file each.
    let mut groups: BTreeMap<(bool, Option<Scheme>), Vec<Instruction>> = BTreeMap::new();
    for instruction in ready {
        let key = match &instruction {
            Instruction::DirectDebit(dd) => (true, Some(dd.scheme)),
            _ => (false, None),
        };
        groups.entry(key).or_default().push(instruction);
    }
    for (_, mut group) in groups {
        group.sort_by(|a, b| a.key().cmp(b.key()));
        let per_file = cx.connection.max_payments_per_file.max(1);
        while !group.is_empty() {
            let rest = group.split_off(per_file.min(group.len()));
            let chunk = std::mem::replace(&mut group, rest);
            let (files, bad) = build_files(cx, chunk, &mandates, now).await?;
            for file in files {
                cx.store.record_outbound_file(&file, &ctx).await?;
                info!(connection = %connection, message_id = %file.message_id, file = %file.name,
                    payments = file.transactions.len(), bytes = file.size, "Outbound file built and recorded.");
                report.payments += file.transactions.len();
                report.files.push(file.message_id);
            }
            refused.extend(bad);
        }
    }
    if !refused.is_empty() {
        let mut records = Vec::with_capacity(refused.len());
        for (id, reason) in &refused {
            warn!(connection = %connection, payment = %id, reason = %reason, "Payment refused for submission; it is FAILED and nothing was sent.");
            let record = Payment::restore(id.clone(), PaymentStatus::PendingSubmission)
                .apply(
                    PaymentEvent::SubmissionRefused {
                        reason: reason.clone(),
                    },
                    &ctx,
                )
                .map_err(crate::store::StoreError::from)?;
            records.push(record);
        }
        cx.store.apply_payment_events(&records).await?;
        report.refused = refused.len();
    }
    Ok(report)
}

/// Settles a payment's execution date. `Ok((instruction, Some(date)))` when the date
/// moved; `Err(reason)` when the payment must be refused.
fn prepare<S>(
    cx: &Context<'_, S>,
    mut instruction: Instruction,
    cut_off: &CutOff,
    now: Timestamp,
) -> Result<(Instruction, Option<jiff::civil::Date>), String> {
    let (requested, scheme, currency) = match &instruction {
        Instruction::CreditTransfer(ct) => (ct.requested_date, ct.scheme, ct.amount.currency()),
        Instruction::DirectDebit(dd) => (Some(dd.requested_date), dd.scheme, dd.amount.currency()),
        other => return Err(format!("a {} is not a payment", other.kind())),
    };
    let request = TimingRequest {
        scheme,
        currency,
        requested: requested.unwrap_or_else(|| now.to_zoned(cut_off.zone.clone()).date()),
        submitted_at: now,
    };
    let execution = match settlement_dates(&request, cut_off, cx.calendars) {
        Ok(dates) => dates.execution_date,
        Err(
            TimingError::LeadTimeMissed { earliest, .. }
            | TimingError::BetalingsserviceDeadlineMissed { earliest, .. },
        ) => earliest,
        Err(TimingError::NotBusinessDay { next, .. }) => next,
        Err(e @ TimingError::OutOfRange { .. }) => return Err(e.to_string()),
    };
    let moved = requested.is_some_and(|r| execution > r);
    if moved && cx.connection.late_payments == LatePolicy::Fail {
        return Err(format!(
            "rule timing.late failed: expected an execution date from {execution} on (late_payments = \"fail\"), got {}",
            request.requested
        ));
    }
    match &mut instruction {
        Instruction::CreditTransfer(ct) => ct.requested_date = Some(execution),
        Instruction::DirectDebit(dd) => dd.requested_date = execution,
        _ => {}
    }
    Ok((instruction, moved.then_some(execution)))
}

fn reread(accounts: &AccountBook, raw_json: &str) -> Result<Instruction, String> {
    let value: Value = serde_json::from_str(raw_json)
        .map_err(|e| format!("stored instruction unreadable: {e}"))?;
    read_record(&value, accounts).outcome.map_err(|problems| {
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!(
            "no longer valid with the running configuration: {}",
            all.join("; ")
        )
    })
}

async fn mandate_instruction<S: Store>(
    cx: &Context<'_, S>,
    accounts: &AccountBook,
    id: &str,
) -> Result<Option<Instruction>, EngineError> {
    let Some(row) = cx.store.mandate(id).await? else {
        return Ok(None);
    };
    Ok(reread(accounts, &row.raw_json).ok())
}

/// Renders `chunk` into as many files as needed: one, unless some payments no longer
/// render, which are then found one by one and refused.
async fn build_files<S: Store>(
    cx: &Context<'_, S>,
    chunk: Vec<Instruction>,
    mandates: &HashMap<String, Instruction>,
    now: Timestamp,
) -> Result<(Vec<OutboundFile>, Vec<(String, String)>), EngineError> {
    let (result, chunk) = build_file(cx, chunk, mandates, now).await?;
    match result {
        Ok(file) => Ok((vec![file], Vec::new())),
        Err(_) if chunk.len() > 1 => {
            let mut good = Vec::new();
            let mut bad = Vec::new();
            for instruction in chunk {
                let (result, mut one) = build_file(cx, vec![instruction], mandates, now).await?;
                let instruction = one.swap_remove(0);
                match result {
                    Ok(_) => good.push(instruction),
                    Err(reason) => bad.push((instruction.key().to_owned(), reason)),
                }
            }
            let mut files = Vec::new();
            if !good.is_empty() {
                let (result, good) = build_file(cx, good, mandates, now).await?;
                match result {
                    Ok(file) => files.push(file),
                    Err(reason) => {
                        bad.extend(good.iter().map(|i| (i.key().to_owned(), reason.clone())))
                    }
                }
            }
            Ok((files, bad))
        }
        Err(reason) => Ok((
            Vec::new(),
            chunk
                .first()
                .map(|i| (i.key().to_owned(), reason))
                .into_iter()
                .collect(),
        )),
    }
}

/// Renders one file of `payments` into the archive; gives the payments back.
/// `Ok((Err(reason), _))` when the payments do not render.
async fn build_file<S: Store>(
    cx: &Context<'_, S>,
    payments: Vec<Instruction>,
    mandates: &HashMap<String, Instruction>,
    now: Timestamp,
) -> Result<(Result<OutboundFile, String>, Vec<Instruction>), EngineError> {
    let count = payments.len();
    let mut instructions = payments;
    let mut used: Vec<&String> = instructions
        .iter()
        .filter_map(|i| match i {
            Instruction::DirectDebit(dd) => Some(dd.mandate.as_str()),
            _ => None,
        })
        .filter_map(|id| mandates.get_key_value(id).map(|(k, _)| k))
        .collect();
    used.sort();
    used.dedup();
    let used: Vec<Instruction> = used.into_iter().map(|id| mandates[id].clone()).collect();
    instructions.extend(used);
    let accounts = cx.config.accounts.clone();
    let profile = cx.config.profile(&cx.connection.id);
    let archive = cx.archive.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let input = RenderInput {
            instructions: &instructions,
            accounts: &accounts,
            profile: &profile,
            message: None,
            created_at: now,
        };
        let result = archive.store_with(|out| match iso20022::render(&input, out) {
            Ok((rendered, _)) => Ok(Ok(rendered)),
            Err(iso20022::RenderError::Io(e)) => Err(e),
            Err(iso20022::RenderError::Invalid(problems)) => {
                let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
                Ok(Err(all.join("; ")))
            }
        });
        (result, instructions)
    })
    .await
    .map_err(|e| EngineError::Internal(format!("file builder task failed: {e}")))?;
    let (result, mut instructions) = rendered;
    let (rendered, archived) = result.map_err(|e| EngineError::Archive(e.to_string()))?;
    let rendered = match rendered {
        Ok(r) => r,
        Err(reason) => {
            instructions.truncate(count);
            return Ok((Err(reason), instructions));
        }
    };
    let mut transactions = Vec::with_capacity(count);
    for (block, positions) in rendered
        .payment_information_ids
        .iter()
        .zip(&rendered.block_transactions)
    {
        for &position in positions {
            let key = instructions[position as usize].key();
            transactions.push(FileTransaction {
                payment_id: key.to_owned(),
                end_to_end_id: ids::end_to_end_id(key).0.into_owned(),
                payment_information_id: block.clone(),
            });
        }
    }
    instructions.truncate(count);
    let kind = if rendered.message.is_credit_transfer() {
        "pain.001"
    } else {
        "pain.008"
    };
    let file = OutboundFile {
        name: cx.connection.file_name_for(
            &rendered.message_id,
            kind,
            now.to_zoned(jiff::tz::TimeZone::UTC).date(),
        ),
        message_id: rendered.message_id,
        connection: cx.connection.id.clone(),
        sha256: archived.sha256,
        size: archived.size,
        transactions,
        archive: archived.address,
    };
    Ok((Ok(file), instructions))
}
