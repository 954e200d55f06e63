//! Intake into the store: the drop folder's [`Recorder`] backed by a [`Store`].

use jiff::Timestamp;

use std::collections::HashSet;

use super::handoff::Handoff;
use crate::config::Config;
use crate::domain::event::{Actor, EventContext};
use crate::domain::instruction::Instruction;
use crate::intake::FileReport;
use crate::intake::folder::{IncomingFile, RecordError, RecordVerdict, Recorder};
use crate::store::{ApprovalPolicy, NewInstruction, RecordOutcome, Store, StoreError};

/// Records valid instruction files into the store, one transaction per file.
pub struct StoreRecorder<'a, S> {
    store: &'a S,
    config: &'a Config,
    handoff: Option<Handoff>,
}

impl<'a, S: Store> StoreRecorder<'a, S> {
    pub fn new(store: &'a S, config: &'a Config) -> Self {
        Self {
            store,
            config,
            handoff: None,
        }
    }

    /// Also hands the payments it records (approved at once, for a connection) to the
    /// windows in memory; `config` must be the configuration the windows run with.
    pub fn with_handoff(mut self, handoff: Handoff) -> Self {
        self.handoff = Some(handoff);
        self
    }

    /// The connection and approval policy of the own account an instruction names.
    fn routing(&self, instruction: &Instruction) -> (String, ApprovalPolicy) {
        let account = match instruction {
            Instruction::CreditTransfer(ct) => Some(ct.source_account.as_str()),
            Instruction::DirectDebit(dd) => Some(dd.source_account.as_str()),
            Instruction::Mandate(m) => Some(m.creditor_account.as_str()),
            Instruction::MandateCancellation(_) => None,
        };
        account
            .and_then(|id| self.config.account(id))
            .map_or((String::new(), ApprovalPolicy::Auto), |a| {
                (a.connection.clone(), a.approval)
            })
    }
}

impl<S: Store> Recorder for StoreRecorder<'_, S> {
    async fn record(
        &self,
        file: &IncomingFile,
        report: &FileReport,
    ) -> Result<RecordVerdict, RecordError> {
        let records: Vec<NewInstruction> = report
            .records
            .iter()
            .filter_map(|r| {
                let instruction = r.outcome.as_ref().ok()?.clone();
                let (connection, approval) = self.routing(&instruction);
                let stored = r.raw.to_stored();
                Some(NewInstruction::with_text(
                    instruction,
                    stored.json,
                    stored.content_sha256,
                    connection,
                    approval,
                ))
            })
            .collect();
        let ctx = EventContext::new(Actor::System, Timestamp::now());
        let outcome = self.store.record_file(file, &records, &ctx).await;
        match outcome {
            Ok(RecordOutcome::DuplicateFile { .. }) => Ok(RecordVerdict::DuplicateFile),
            Ok(RecordOutcome::Recorded(summary)) => {
                if let Some(handoff) = &self.handoff {
                    hand_off(handoff, records, &summary.new);
                }
                Ok(RecordVerdict::Recorded {
                    new: summary.new.len(),
                    already_recorded: summary.already_recorded.len(),
                })
            }
            Err(StoreError::Conflict { key, first_file }) => Err(RecordError::Conflict {
                key,
                detail: format!("first recorded from {first_file} with other content"),
            }),
            Err(e) if e.retryable() => Err(RecordError::Retryable(e.to_string())),
            Err(e) => Err(RecordError::Fatal(e.to_string())),
        }
    }
}

/// Offers the payments of `records` recorded now (`new`) that a window will claim
/// without waiting for anyone: approved automatically, for a connection.
fn hand_off(handoff: &Handoff, records: Vec<NewInstruction>, new: &[String]) {
    let new: HashSet<&str> = new.iter().map(String::as_str).collect();
    handoff.offer(records.into_iter().filter_map(|r| {
        let payment = matches!(
            r.instruction,
            Instruction::CreditTransfer(_) | Instruction::DirectDebit(_)
        );
        let wanted = payment
            && r.approval == ApprovalPolicy::Auto
            && !r.connection.is_empty()
            && new.contains(r.instruction.key());
        wanted.then(|| (r.instruction.key().to_owned(), r.instruction))
    }));
}
