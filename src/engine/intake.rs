//! Intake into the store: the drop folder's [`Recorder`] backed by a [`Store`].

use jiff::Timestamp;

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
}

impl<'a, S: Store> StoreRecorder<'a, S> {
    pub fn new(store: &'a S, config: &'a Config) -> Self {
        Self { store, config }
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
                Some(NewInstruction::new(
                    instruction,
                    &r.raw,
                    connection,
                    approval,
                ))
            })
            .collect();
        let ctx = EventContext::new(Actor::System, Timestamp::now());
        match self.store.record_file(file, &records, &ctx).await {
            Ok(RecordOutcome::DuplicateFile { .. }) => Ok(RecordVerdict::DuplicateFile),
            Ok(RecordOutcome::Recorded(summary)) => Ok(RecordVerdict::Recorded {
                new: summary.new.len(),
                already_recorded: summary.already_recorded.len(),
            }),
            Err(StoreError::Conflict { key, first_file }) => Err(RecordError::Conflict {
                key,
                detail: format!("first recorded from {first_file} with other content"),
            }),
            Err(e) if e.retryable() => Err(RecordError::Retryable(e.to_string())),
            Err(e) => Err(RecordError::Fatal(e.to_string())),
        }
    }
}
