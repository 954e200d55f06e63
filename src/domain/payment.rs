//! Payment statuses and the state machine that moves them.
//!
//! The seed's status diagram is guidance, not law: bank evidence that skips a step
//! (`EXECUTED` before `ACCEPTED`) is a valid forward move; evidence that would move the
//! status backwards is recorded but does not regress it; only `OPERATOR_FORCE_UPDATE` can
//! set any status. Every event returns the [`PaymentRecord`] the store persists.
//!
//! # Order
//!
//! Happy path, by [`PaymentStatus::progress`]:
//! `CREATED < APPROVED < PENDING_SUBMISSION < SENT < PENDING_AT_BANK < ACCEPTED < EXECUTED
//! < RECONCILED`. Off the path:
//! - `REJECTED` (final): the customer rejected it, only from `CREATED` or `APPROVED`;
//! - `FAILED` (final): the bank rejected it before execution;
//! - `RETURNED` (final): the money came back after execution; a rejection (`FAILED`
//!   outcome, e.g. pain.002 `RJCT`) arriving at `EXECUTED` or `RECONCILED` is recorded as
//!   `RETURNED`;
//! - `UNKNOWN`: entered while an outcome is awaited (`PENDING_SUBMISSION` to `ACCEPTED`);
//!   left by any bank evidence that would apply to a submitted payment.
//!
//! Bank evidence (and `FILE_UPLOADED`) applies only to a submitted payment, i.e. from
//! `PENDING_SUBMISSION` on: the upload may have finished before its `FILE_UPLOADED` was
//! recorded. On `CREATED` or `APPROVED` it is recorded without effect.
//!
//! # Events
//!
//! | Event | Group | Effect |
//! |---|---|---|
//! | `CREATED` | — | [`Payment::create`]: the first record, status `CREATED` |
//! | `APPROVED` | command | `CREATED` → `APPROVED` |
//! | `REJECTED` | command | `CREATED` or `APPROVED` → `REJECTED` |
//! | `SUBMISSION_STARTED` | command | `APPROVED` → `PENDING_SUBMISSION` |
//! | `FILE_UPLOADED` | observation | → `SENT` (forward only) |
//! | `BANK_STATUS_RECEIVED` | observation | → the caller's [`BankOutcome`] (forward only); `FAILED` after execution → `RETURNED` |
//! | `STATEMENT_BOOKED` | observation | camt.052/054 → `EXECUTED`, camt.053 → `RECONCILED` (forward only) |
//! | `RETURN_RECEIVED` | observation | → `RETURNED` |
//! | `STATUS_UNKNOWN` | observation | `PENDING_SUBMISSION`..`ACCEPTED` → `UNKNOWN` (upload outcome unknown, no evidence within SLA, conflicting evidence) |
//! | `OPERATOR_FORCE_UPDATE` | force | any → any; needs `operator:<name>` and a reason |
//!
//! Commands the status does not allow are a [`TransitionError`]; repeating the command
//! that led to the current status gives a record with `applied: false`. Observations are
//! never errors: a duplicate, a regression, evidence on an unsubmitted payment, or
//! anything after a final status is recorded with `applied: false` and a `note`.

use super::event::{
    self, Decision, Details, EntityKind, EventContext, EventRecord, Evidence, Lifecycle,
    TransitionError,
};
use crate::named_enum;

named_enum! {
    /// Where a payment is in its life (seed "Payment statuses").
    PaymentStatus, "payment.status" {
        Created = "CREATED",
        Rejected = "REJECTED",
        Approved = "APPROVED",
        PendingSubmission = "PENDING_SUBMISSION",
        Sent = "SENT",
        PendingAtBank = "PENDING_AT_BANK",
        Accepted = "ACCEPTED",
        Executed = "EXECUTED",
        Failed = "FAILED",
        Reconciled = "RECONCILED",
        Returned = "RETURNED",
        Unknown = "UNKNOWN",
    }
}

named_enum! {
    /// Text names of the payment events (see the module documentation).
    PaymentEventKind, "payment.event" {
        Created = "CREATED",
        Approved = "APPROVED",
        Rejected = "REJECTED",
        SubmissionStarted = "SUBMISSION_STARTED",
        SubmissionRefused = "SUBMISSION_REFUSED",
        FileUploaded = "FILE_UPLOADED",
        BankStatusReceived = "BANK_STATUS_RECEIVED",
        StatementBooked = "STATEMENT_BOOKED",
        ReturnReceived = "RETURN_RECEIVED",
        StatusUnknown = "STATUS_UNKNOWN",
        OperatorForceUpdate = "OPERATOR_FORCE_UPDATE",
    }
}

named_enum! {
    /// The status a bank status report points to, as the caller derived it (e.g. pain.002
    /// `ACTC` → `PENDING_AT_BANK`, `ACSP` → `ACCEPTED`, `ACSC` → `EXECUTED`, `RJCT` →
    /// `FAILED`).
    BankOutcome, "payment.bank_outcome" {
        PendingAtBank = "PENDING_AT_BANK",
        Accepted = "ACCEPTED",
        Executed = "EXECUTED",
        Failed = "FAILED",
        Returned = "RETURNED",
    }
}

named_enum! {
    /// Which kind of report booked the payment: `NOTIFICATION` (camt.052 or camt.054,
    /// the payment is executed) or `STATEMENT` (camt.053 with equal amount and currency,
    /// the payment is reconciled).
    BookingReport, "payment.booking_report" {
        Notification = "NOTIFICATION",
        Statement = "STATEMENT",
    }
}

event::serde_as_text!(PaymentStatus, PaymentEventKind, BankOutcome, BookingReport);

/// The record a payment event leaves behind.
pub type PaymentRecord = EventRecord<PaymentStatus, PaymentEventKind>;

impl PaymentStatus {
    /// Rank on the happy path (`CREATED` = 0 .. `RECONCILED` = 7); `None` for `REJECTED`,
    /// `FAILED`, `RETURNED` and `UNKNOWN`.
    pub const fn progress(self) -> Option<u8> {
        match self {
            PaymentStatus::Created => Some(0),
            PaymentStatus::Approved => Some(1),
            PaymentStatus::PendingSubmission => Some(2),
            PaymentStatus::Sent => Some(3),
            PaymentStatus::PendingAtBank => Some(4),
            PaymentStatus::Accepted => Some(5),
            PaymentStatus::Executed => Some(6),
            PaymentStatus::Reconciled => Some(7),
            PaymentStatus::Rejected
            | PaymentStatus::Failed
            | PaymentStatus::Returned
            | PaymentStatus::Unknown => None,
        }
    }

    /// `REJECTED`, `FAILED` and `RETURNED`: only `OPERATOR_FORCE_UPDATE` leaves them.
    /// (`RECONCILED` is not final: a return can still arrive.)
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Rejected | PaymentStatus::Failed | PaymentStatus::Returned
        )
    }

    /// Whether the payment has gone (or is going) to the bank, so bank evidence can apply.
    const fn is_submitted(self) -> bool {
        !matches!(self, PaymentStatus::Created | PaymentStatus::Approved)
    }
}

impl Lifecycle for PaymentStatus {
    const ENTITY: EntityKind = EntityKind::Payment;
    const UNKNOWN: Self = PaymentStatus::Unknown;

    fn rank(self) -> Option<u8> {
        self.progress()
    }

    fn is_final(self) -> bool {
        PaymentStatus::is_final(self)
    }
}

impl BankOutcome {
    /// What an ISO 20022 payment status code (`GrpSts`, `PmtInfSts`, `TxSts`) says about
    /// a payment; `None` for `PART` (look at the transactions) and unknown codes.
    pub fn from_status_code(code: &str) -> Option<BankOutcome> {
        match code {
            "RCVD" | "ACTC" | "PDNG" | "PATC" => Some(BankOutcome::PendingAtBank),
            "ACCP" | "ACFC" | "ACSP" | "ACWC" | "ACWP" => Some(BankOutcome::Accepted),
            "ACSC" | "ACCC" => Some(BankOutcome::Executed),
            "RJCT" | "CANC" => Some(BankOutcome::Failed),
            _ => None,
        }
    }

    pub const fn status(self) -> PaymentStatus {
        match self {
            BankOutcome::PendingAtBank => PaymentStatus::PendingAtBank,
            BankOutcome::Accepted => PaymentStatus::Accepted,
            BankOutcome::Executed => PaymentStatus::Executed,
            BankOutcome::Failed => PaymentStatus::Failed,
            BankOutcome::Returned => PaymentStatus::Returned,
        }
    }
}

/// Something that happened to a payment (see the module documentation for each effect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    Approved,
    Rejected {
        reason: Option<String>,
    },
    SubmissionStarted,
    /// bankgate cannot put the payment into a file (its requested date can no longer be
    /// met under the connection's `late_payments = "fail"`, or it no longer renders, e.g.
    /// its account left the configuration); nothing was sent.
    SubmissionRefused {
        reason: String,
    },
    /// `evidence.source`: the uploaded file name or `MsgId`.
    FileUploaded {
        evidence: Evidence,
    },
    BankStatusReceived {
        outcome: BankOutcome,
        evidence: Evidence,
    },
    StatementBooked {
        report: BookingReport,
        evidence: Evidence,
    },
    /// `evidence.reason_code`: the return reason (`RtrInf/Rsn/Cd`, e.g. `AC04`, `MD06`).
    ReturnReceived {
        evidence: Evidence,
    },
    StatusUnknown {
        reason: String,
        evidence: Evidence,
    },
    OperatorForceUpdate {
        to: PaymentStatus,
        reason: String,
    },
}

impl PaymentEvent {
    pub const fn kind(&self) -> PaymentEventKind {
        match self {
            PaymentEvent::Approved => PaymentEventKind::Approved,
            PaymentEvent::Rejected { .. } => PaymentEventKind::Rejected,
            PaymentEvent::SubmissionStarted => PaymentEventKind::SubmissionStarted,
            PaymentEvent::SubmissionRefused { .. } => PaymentEventKind::SubmissionRefused,
            PaymentEvent::FileUploaded { .. } => PaymentEventKind::FileUploaded,
            PaymentEvent::BankStatusReceived { .. } => PaymentEventKind::BankStatusReceived,
            PaymentEvent::StatementBooked { .. } => PaymentEventKind::StatementBooked,
            PaymentEvent::ReturnReceived { .. } => PaymentEventKind::ReturnReceived,
            PaymentEvent::StatusUnknown { .. } => PaymentEventKind::StatusUnknown,
            PaymentEvent::OperatorForceUpdate { .. } => PaymentEventKind::OperatorForceUpdate,
        }
    }
}

/// A payment's identity and status; the status only changes through [`Payment::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    id: String,
    status: PaymentStatus,
}

impl Payment {
    /// A new payment in `CREATED`, with its `CREATED` record.
    pub fn create(id: impl Into<String>, ctx: &EventContext) -> (Self, PaymentRecord) {
        let payment = Self {
            id: id.into(),
            status: PaymentStatus::Created,
        };
        let record = event::created(&payment.id, payment.status, PaymentEventKind::Created, ctx);
        (payment, record)
    }

    /// A payment as the store last saw it (the `status_after` of its latest record).
    pub fn restore(id: impl Into<String>, status: PaymentStatus) -> Self {
        Self {
            id: id.into(),
            status,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn status(&self) -> PaymentStatus {
        self.status
    }

    /// Applies `event`. On `Ok` the returned record must be persisted (even when
    /// `applied` is false); on `Err` nothing changed.
    pub fn apply(
        &mut self,
        event: PaymentEvent,
        ctx: &EventContext,
    ) -> Result<PaymentRecord, TransitionError> {
        use PaymentStatus as S;
        let kind = event.kind();
        let status = self.status;
        let (decision, details) = match event {
            PaymentEvent::Approved => (
                event::command(status, &[S::Created], S::Approved),
                Details::default(),
            ),
            PaymentEvent::Rejected { reason } => (
                event::command(status, &[S::Created, S::Approved], S::Rejected),
                Details::new(reason, Evidence::default()),
            ),
            PaymentEvent::SubmissionStarted => (
                event::command(status, &[S::Approved], S::PendingSubmission),
                Details::default(),
            ),
            PaymentEvent::SubmissionRefused { reason } => (
                event::command(status, &[S::Approved, S::PendingSubmission], S::Failed),
                Details::new(Some(reason), Evidence::default()),
            ),
            PaymentEvent::FileUploaded { evidence } => (
                Ok(evidence_to(status, S::Sent)),
                Details::new(None, evidence),
            ),
            PaymentEvent::BankStatusReceived { outcome, evidence } => (
                Ok(evidence_to(status, outcome.status())),
                Details::new(None, evidence),
            ),
            PaymentEvent::StatementBooked { report, evidence } => {
                let to = match report {
                    BookingReport::Notification => S::Executed,
                    BookingReport::Statement => S::Reconciled,
                };
                (Ok(evidence_to(status, to)), Details::new(None, evidence))
            }
            PaymentEvent::ReturnReceived { evidence } => (
                Ok(evidence_to(status, S::Returned)),
                Details::new(None, evidence),
            ),
            PaymentEvent::StatusUnknown { reason, evidence } => (
                Ok(event::lose_track(
                    status,
                    &[S::PendingSubmission, S::Sent, S::PendingAtBank, S::Accepted],
                )),
                Details::new(Some(reason), evidence),
            ),
            PaymentEvent::OperatorForceUpdate { to, reason } => (
                event::force(status, to, &ctx.actor, &reason),
                Details::new(Some(reason), Evidence::default()),
            ),
        };
        event::settle(&self.id, &mut self.status, kind, ctx, decision, details)
    }
}

/// Bank (or transport) evidence pointing at `to`.
fn evidence_to(status: PaymentStatus, to: PaymentStatus) -> Decision<PaymentStatus> {
    if !status.is_submitted() {
        return Decision::Keep {
            note: format!("payment is {status}, not submitted; bank evidence cannot apply"),
        };
    }
    let executed = matches!(status, PaymentStatus::Executed | PaymentStatus::Reconciled);
    if to == PaymentStatus::Failed && executed {
        return Decision::Apply {
            to: PaymentStatus::Returned,
            note: Some(format!("rejection after {status} recorded as RETURNED")),
        };
    }
    event::observe(status, to)
}
