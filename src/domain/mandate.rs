//! Direct-debit mandate statuses and the state machine that moves them.
//!
//! Same rules as payments (see [`super::event`]): evidence that skips a step is a valid
//! forward move, evidence that would regress is recorded without effect, only
//! `OPERATOR_FORCE_UPDATE` sets any status, and every event returns the
//! [`MandateRecord`] the store persists.
//!
//! # Order
//!
//! Happy path, by [`MandateStatus::progress`]:
//! `CREATED < PENDING_SUBMISSION < SENT < ACCEPTED < ACTIVE < PENDING_CANCELLATION <
//! PENDING_CANCELLATION_SUBMISSION < CANCELLATION_SENT`. Off the path:
//! - `FAILED` (final): the mandate failed to register or proved unusable (SEPA `MD01`,
//!   `MD02`; Autogiro TK73 04 with an error comment); from any non-final status;
//! - `CANCELLED` (final): cancelled by us, the counterparty or the bank (SEPA `MD07`,
//!   `AC04`; Autogiro TK73 03+33, 46; Betalingsservice 0212); from any non-final status;
//! - `UNKNOWN`: entered while a bank outcome is awaited (`PENDING_SUBMISSION`, `SENT`,
//!   `ACCEPTED`, `PENDING_CANCELLATION_SUBMISSION`, `CANCELLATION_SENT`), e.g. Autogiro
//!   TK73 04+10 "already registered / under inquiry"; left by any evidence.
//!
//! Evidence applies from `CREATED` too: SEPA mandates are not registered on their own but
//! travel with the first collection.
//!
//! # Events
//!
//! | Event | Group | Effect |
//! |---|---|---|
//! | `CREATED` | — | [`Mandate::create`]: the first record, status `CREATED` |
//! | `SUBMISSION_STARTED` | command | `CREATED` → `PENDING_SUBMISSION` |
//! | `FILE_UPLOADED` | observation | → `SENT` (forward only) |
//! | `BANK_STATUS_RECEIVED` | observation | → `ACCEPTED` (forward only): the bank received it, no final outcome yet |
//! | `ACTIVATED` | observation | → `ACTIVE` (forward only): first successful collection, bank confirmation, or created with `active=true` |
//! | `FAILED` | observation | → `FAILED` |
//! | `CANCELLATION_REQUESTED` | command | `CREATED`..`ACTIVE` or `UNKNOWN` → `PENDING_CANCELLATION` |
//! | `CANCELLATION_SUBMISSION_STARTED` | command | `PENDING_CANCELLATION` → `PENDING_CANCELLATION_SUBMISSION` |
//! | `CANCELLATION_SENT` | observation | → `CANCELLATION_SENT` (forward only) |
//! | `CANCELLED` | observation | → `CANCELLED` (confirmation, or `MD07`/`AC04`) |
//! | `STATUS_UNKNOWN` | observation | awaiting statuses → `UNKNOWN` |
//! | `OPERATOR_FORCE_UPDATE` | force | any → any; needs `operator:<name>` and a reason |
//!
//! A mandate created with `active=true` is [`Mandate::create`] followed by `ACTIVATED`:
//! two records, so the history says how it became active.

use super::event::{
    self, Details, EntityKind, EventContext, EventRecord, Evidence, Lifecycle, TransitionError,
};
use crate::named_enum;

named_enum! {
    /// Where a mandate is in its life (seed "(Direct-Debit) Mandate statuses").
    MandateStatus, "mandate.status" {
        Created = "CREATED",
        PendingSubmission = "PENDING_SUBMISSION",
        Sent = "SENT",
        Accepted = "ACCEPTED",
        Active = "ACTIVE",
        PendingCancellation = "PENDING_CANCELLATION",
        PendingCancellationSubmission = "PENDING_CANCELLATION_SUBMISSION",
        CancellationSent = "CANCELLATION_SENT",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
        Unknown = "UNKNOWN",
    }
}

named_enum! {
    /// Text names of the mandate events (see the module documentation).
    MandateEventKind, "mandate.event" {
        Created = "CREATED",
        SubmissionStarted = "SUBMISSION_STARTED",
        FileUploaded = "FILE_UPLOADED",
        BankStatusReceived = "BANK_STATUS_RECEIVED",
        Activated = "ACTIVATED",
        Failed = "FAILED",
        CancellationRequested = "CANCELLATION_REQUESTED",
        CancellationSubmissionStarted = "CANCELLATION_SUBMISSION_STARTED",
        CancellationSent = "CANCELLATION_SENT",
        Cancelled = "CANCELLED",
        StatusUnknown = "STATUS_UNKNOWN",
        OperatorForceUpdate = "OPERATOR_FORCE_UPDATE",
    }
}

event::serde_as_text!(MandateStatus, MandateEventKind);

/// The record a mandate event leaves behind.
pub type MandateRecord = EventRecord<MandateStatus, MandateEventKind>;

impl MandateStatus {
    /// Rank on the happy path (`CREATED` = 0 .. `CANCELLATION_SENT` = 7); `None` for
    /// `FAILED`, `CANCELLED` and `UNKNOWN`.
    pub const fn progress(self) -> Option<u8> {
        match self {
            MandateStatus::Created => Some(0),
            MandateStatus::PendingSubmission => Some(1),
            MandateStatus::Sent => Some(2),
            MandateStatus::Accepted => Some(3),
            MandateStatus::Active => Some(4),
            MandateStatus::PendingCancellation => Some(5),
            MandateStatus::PendingCancellationSubmission => Some(6),
            MandateStatus::CancellationSent => Some(7),
            MandateStatus::Failed | MandateStatus::Cancelled | MandateStatus::Unknown => None,
        }
    }

    /// `FAILED` and `CANCELLED`: only `OPERATOR_FORCE_UPDATE` leaves them.
    pub const fn is_final(self) -> bool {
        matches!(self, MandateStatus::Failed | MandateStatus::Cancelled)
    }
}

impl Lifecycle for MandateStatus {
    const ENTITY: EntityKind = EntityKind::Mandate;
    const UNKNOWN: Self = MandateStatus::Unknown;

    fn rank(self) -> Option<u8> {
        self.progress()
    }

    fn is_final(self) -> bool {
        MandateStatus::is_final(self)
    }
}

/// Something that happened to a mandate (see the module documentation for each effect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MandateEvent {
    SubmissionStarted,
    /// `evidence.source`: the uploaded file name or `MsgId`.
    FileUploaded {
        evidence: Evidence,
    },
    BankStatusReceived {
        evidence: Evidence,
    },
    /// `evidence.source`: e.g. the first collection's reference.
    Activated {
        evidence: Evidence,
    },
    /// `evidence.reason_code`: e.g. `MD01`, `MD02`.
    Failed {
        evidence: Evidence,
    },
    CancellationRequested {
        reason: Option<String>,
    },
    CancellationSubmissionStarted,
    CancellationSent {
        evidence: Evidence,
    },
    /// `evidence.reason_code`: e.g. `MD07`, `AC04`; empty for our own confirmed cancellation.
    Cancelled {
        evidence: Evidence,
    },
    StatusUnknown {
        reason: String,
        evidence: Evidence,
    },
    OperatorForceUpdate {
        to: MandateStatus,
        reason: String,
    },
}

impl MandateEvent {
    pub const fn kind(&self) -> MandateEventKind {
        match self {
            MandateEvent::SubmissionStarted => MandateEventKind::SubmissionStarted,
            MandateEvent::FileUploaded { .. } => MandateEventKind::FileUploaded,
            MandateEvent::BankStatusReceived { .. } => MandateEventKind::BankStatusReceived,
            MandateEvent::Activated { .. } => MandateEventKind::Activated,
            MandateEvent::Failed { .. } => MandateEventKind::Failed,
            MandateEvent::CancellationRequested { .. } => MandateEventKind::CancellationRequested,
            MandateEvent::CancellationSubmissionStarted => {
                MandateEventKind::CancellationSubmissionStarted
            }
            MandateEvent::CancellationSent { .. } => MandateEventKind::CancellationSent,
            MandateEvent::Cancelled { .. } => MandateEventKind::Cancelled,
            MandateEvent::StatusUnknown { .. } => MandateEventKind::StatusUnknown,
            MandateEvent::OperatorForceUpdate { .. } => MandateEventKind::OperatorForceUpdate,
        }
    }
}

/// A mandate's identity and status; the status only changes through [`Mandate::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    id: String,
    status: MandateStatus,
}

impl Mandate {
    /// A new mandate in `CREATED`, with its `CREATED` record.
    pub fn create(id: impl Into<String>, ctx: &EventContext) -> (Self, MandateRecord) {
        let mandate = Self {
            id: id.into(),
            status: MandateStatus::Created,
        };
        let record = event::created(&mandate.id, mandate.status, MandateEventKind::Created, ctx);
        (mandate, record)
    }

    /// A mandate as the store last saw it (the `status_after` of its latest record).
    pub fn restore(id: impl Into<String>, status: MandateStatus) -> Self {
        Self {
            id: id.into(),
            status,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn status(&self) -> MandateStatus {
        self.status
    }

    /// Applies `event`. On `Ok` the returned record must be persisted (even when
    /// `applied` is false); on `Err` nothing changed.
    pub fn apply(
        &mut self,
        event: MandateEvent,
        ctx: &EventContext,
    ) -> Result<MandateRecord, TransitionError> {
        use MandateStatus as S;
        let kind = event.kind();
        let status = self.status;
        let observed = |to: S, evidence: Evidence| {
            (Ok(event::observe(status, to)), Details::new(None, evidence))
        };
        let (decision, details) = match event {
            MandateEvent::SubmissionStarted => (
                event::command(status, &[S::Created], S::PendingSubmission),
                Details::default(),
            ),
            MandateEvent::FileUploaded { evidence } => observed(S::Sent, evidence),
            MandateEvent::BankStatusReceived { evidence } => observed(S::Accepted, evidence),
            MandateEvent::Activated { evidence } => observed(S::Active, evidence),
            MandateEvent::Failed { evidence } => observed(S::Failed, evidence),
            MandateEvent::CancellationRequested { reason } => (
                event::command(
                    status,
                    &[
                        S::Created,
                        S::PendingSubmission,
                        S::Sent,
                        S::Accepted,
                        S::Active,
                        S::Unknown,
                    ],
                    S::PendingCancellation,
                ),
                Details::new(reason, Evidence::default()),
            ),
            MandateEvent::CancellationSubmissionStarted => (
                event::command(
                    status,
                    &[S::PendingCancellation],
                    S::PendingCancellationSubmission,
                ),
                Details::default(),
            ),
            MandateEvent::CancellationSent { evidence } => observed(S::CancellationSent, evidence),
            MandateEvent::Cancelled { evidence } => observed(S::Cancelled, evidence),
            MandateEvent::StatusUnknown { reason, evidence } => (
                Ok(event::lose_track(
                    status,
                    &[
                        S::PendingSubmission,
                        S::Sent,
                        S::Accepted,
                        S::PendingCancellationSubmission,
                        S::CancellationSent,
                    ],
                )),
                Details::new(Some(reason), evidence),
            ),
            MandateEvent::OperatorForceUpdate { to, reason } => (
                event::force(status, to, &ctx.actor, &reason),
                Details::new(Some(reason), Evidence::default()),
            ),
        };
        event::settle(&self.id, &mut self.status, kind, ctx, decision, details)
    }
}
