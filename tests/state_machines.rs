//! Payment and mandate state machines: the transition tables row by row, the event record
//! the store persists, and random event sequences against an order written out here
//! independently of the implementation.

use std::fmt::{Debug, Display};

use bankgate::domain::event::{
    Actor, EntityKind, EventContext, EventRecord, Evidence, TransitionError,
};
use bankgate::domain::mandate::{
    Mandate, MandateEvent, MandateEventKind, MandateRecord, MandateStatus,
};
use bankgate::domain::payment::{
    BankOutcome, BookingReport, Payment, PaymentEvent, PaymentEventKind, PaymentRecord,
    PaymentStatus,
};
use jiff::Timestamp;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// One check for every table row, over both machines.

trait Machine: Sized {
    type Status: Copy + Eq + Debug + Display;
    type Event: Clone + Debug;
    type Kind: Copy + Eq + Debug + Display;
    const ENTITY: EntityKind;
    fn restore(status: Self::Status) -> Self;
    fn status(&self) -> Self::Status;
    fn kind(event: &Self::Event) -> Self::Kind;
    fn apply(
        &mut self,
        event: Self::Event,
        ctx: &EventContext,
    ) -> Result<EventRecord<Self::Status, Self::Kind>, TransitionError>;
}

impl Machine for Payment {
    type Status = PaymentStatus;
    type Event = PaymentEvent;
    type Kind = PaymentEventKind;
    const ENTITY: EntityKind = EntityKind::Payment;
    fn restore(status: PaymentStatus) -> Self {
        Payment::restore(ID, status)
    }
    fn status(&self) -> PaymentStatus {
        Payment::status(self)
    }
    fn kind(event: &PaymentEvent) -> PaymentEventKind {
        event.kind()
    }
    fn apply(
        &mut self,
        event: PaymentEvent,
        ctx: &EventContext,
    ) -> Result<PaymentRecord, TransitionError> {
        Payment::apply(self, event, ctx)
    }
}

impl Machine for Mandate {
    type Status = MandateStatus;
    type Event = MandateEvent;
    type Kind = MandateEventKind;
    const ENTITY: EntityKind = EntityKind::Mandate;
    fn restore(status: MandateStatus) -> Self {
        Mandate::restore(ID, status)
    }
    fn status(&self) -> MandateStatus {
        Mandate::status(self)
    }
    fn kind(event: &MandateEvent) -> MandateEventKind {
        event.kind()
    }
    fn apply(
        &mut self,
        event: MandateEvent,
        ctx: &EventContext,
    ) -> Result<MandateRecord, TransitionError> {
        Mandate::apply(self, event, ctx)
    }
}

const ID: &str = "pay-0001";

#[derive(Debug, Clone, Copy)]
enum Expect<S> {
    /// The status moves to this one.
    Applied(S),
    /// Recorded with `applied: false`; the status stays.
    Kept,
    /// A `TransitionError`; nothing recorded, the status stays.
    Refused,
}
use Expect::{Applied, Kept, Refused};

fn at() -> Timestamp {
    "2026-03-02T10:15:00Z".parse().expect("valid timestamp")
}

fn bank_actor() -> Actor {
    Actor::Bank("nordea-sftp".into())
}

fn operator() -> Actor {
    Actor::Operator("alice".into())
}

/// Applies `event` to an entity restored in `from` and checks the outcome and the record.
fn check<M: Machine>(actor: &Actor, from: M::Status, event: M::Event, expect: Expect<M::Status>) {
    let label = format!("{} {from} + {event:?} by {actor}", M::ENTITY);
    let kind = M::kind(&event);
    let mut entity = M::restore(from);
    let result = entity.apply(event, &EventContext::new(actor.clone(), at()));
    match (expect, result) {
        (Refused, Err(error)) => {
            assert_eq!(
                entity.status(),
                from,
                "{label}: a refusal changed the status"
            );
            assert_eq!(error.entity, M::ENTITY, "{label}");
            assert_eq!(error.entity_id, ID, "{label}");
            assert_eq!(error.event, kind.to_string(), "{label}");
            assert!(
                !error.expected.is_empty() && !error.actual.is_empty(),
                "{label}: {error}"
            );
        }
        (Refused, Ok(record)) => panic!("{label}: expected a refusal, got {record:?}"),
        (_, Err(error)) => panic!("{label}: unexpected refusal: {error}"),
        (expect, Ok(record)) => {
            let to = match expect {
                Applied(to) => to,
                _ => from,
            };
            assert_eq!(entity.status(), to, "{label}: status");
            assert_eq!(record.status_before, Some(from), "{label}: status_before");
            assert_eq!(record.status_after, to, "{label}: status_after");
            assert_eq!(
                record.applied,
                matches!(expect, Applied(_)),
                "{label}: applied"
            );
            if !record.applied {
                assert!(record.note.is_some(), "{label}: a kept event needs a note");
            }
            assert_eq!(record.entity, M::ENTITY, "{label}");
            assert_eq!(record.entity_id, ID, "{label}");
            assert_eq!(record.event, kind, "{label}");
            assert_eq!(&record.actor, actor, "{label}");
            assert_eq!(record.at, at(), "{label}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Payment events, shortened.

fn bank(outcome: BankOutcome, status_code: &str) -> PaymentEvent {
    PaymentEvent::BankStatusReceived {
        outcome,
        evidence: Evidence::status(status_code).with_source("pain002-0001"),
    }
}

fn rjct(reason: &str) -> PaymentEvent {
    PaymentEvent::BankStatusReceived {
        outcome: BankOutcome::Failed,
        evidence: Evidence::status("RJCT").with_reason(reason),
    }
}

fn booked(report: BookingReport) -> PaymentEvent {
    PaymentEvent::StatementBooked {
        report,
        evidence: Evidence::default().with_source("camt-0001"),
    }
}

fn uploaded() -> PaymentEvent {
    PaymentEvent::FileUploaded {
        evidence: Evidence::default().with_source("pain001-0001.xml"),
    }
}

fn returned(reason: &str) -> PaymentEvent {
    PaymentEvent::ReturnReceived {
        evidence: Evidence::default().with_reason(reason),
    }
}

fn payment_unknown() -> PaymentEvent {
    PaymentEvent::StatusUnknown {
        reason: "no pain.002 within SLA".into(),
        evidence: Evidence::default(),
    }
}

fn rejected() -> PaymentEvent {
    PaymentEvent::Rejected {
        reason: Some("wrong amount".into()),
    }
}

fn check_payments(actor: &Actor, rows: Vec<(PaymentStatus, PaymentEvent, Expect<PaymentStatus>)>) {
    for (from, event, expect) in rows {
        check::<Payment>(actor, from, event, expect);
    }
}

#[test]
fn payment_customer_and_workflow_commands() {
    use PaymentStatus::*;
    check_payments(
        &Actor::Customer("acme".into()),
        vec![
            (Created, PaymentEvent::Approved, Applied(Approved)),
            (Created, rejected(), Applied(Rejected)),
            (Approved, rejected(), Applied(Rejected)),
            (
                Approved,
                PaymentEvent::SubmissionStarted,
                Applied(PendingSubmission),
            ),
            // Repeating the command that led here is a duplicate, not an error.
            (Approved, PaymentEvent::Approved, Kept),
            (Rejected, rejected(), Kept),
            (PendingSubmission, PaymentEvent::SubmissionStarted, Kept),
            // Customer actions on a payment already past them are errors.
            (Sent, PaymentEvent::Approved, Refused),
            (PendingSubmission, PaymentEvent::Approved, Refused),
            (Rejected, PaymentEvent::Approved, Refused),
            (PendingSubmission, rejected(), Refused),
            (Executed, rejected(), Refused),
            (Unknown, PaymentEvent::Approved, Refused),
            (Created, PaymentEvent::SubmissionStarted, Refused),
            (Failed, PaymentEvent::SubmissionStarted, Refused),
        ],
    );
}

#[test]
fn payment_credit_transfer_happy_path() {
    use PaymentStatus::*;
    check_payments(
        &bank_actor(),
        vec![
            (Created, PaymentEvent::Approved, Applied(Approved)),
            (
                Approved,
                PaymentEvent::SubmissionStarted,
                Applied(PendingSubmission),
            ),
            (PendingSubmission, uploaded(), Applied(Sent)),
            (
                Sent,
                bank(BankOutcome::PendingAtBank, "ACTC"),
                Applied(PendingAtBank),
            ),
            (
                PendingAtBank,
                bank(BankOutcome::Accepted, "ACSP"),
                Applied(Accepted),
            ),
            (
                Accepted,
                bank(BankOutcome::Executed, "ACSC"),
                Applied(Executed),
            ),
            (
                Executed,
                booked(BookingReport::Statement),
                Applied(Reconciled),
            ),
        ],
    );
}

#[test]
fn payment_direct_debit_happy_path_and_return() {
    use PaymentStatus::*;
    check_payments(
        &bank_actor(),
        vec![
            (Created, PaymentEvent::Approved, Applied(Approved)),
            (
                Approved,
                PaymentEvent::SubmissionStarted,
                Applied(PendingSubmission),
            ),
            (PendingSubmission, uploaded(), Applied(Sent)),
            (Sent, bank(BankOutcome::Accepted, "ACCP"), Applied(Accepted)),
            (
                Accepted,
                booked(BookingReport::Notification),
                Applied(Executed),
            ),
            (
                Executed,
                booked(BookingReport::Statement),
                Applied(Reconciled),
            ),
            (Reconciled, returned("MD06"), Applied(Returned)),
        ],
    );
}

#[test]
fn payment_bank_evidence_skips_forward() {
    use PaymentStatus::*;
    check_payments(
        &bank_actor(),
        vec![
            (Sent, bank(BankOutcome::Executed, "ACSC"), Applied(Executed)),
            (
                PendingAtBank,
                bank(BankOutcome::Executed, "ACCC"),
                Applied(Executed),
            ),
            (Sent, booked(BookingReport::Statement), Applied(Reconciled)),
            (
                Accepted,
                booked(BookingReport::Statement),
                Applied(Reconciled),
            ),
            // The upload finished before FILE_UPLOADED was recorded.
            (
                PendingSubmission,
                bank(BankOutcome::PendingAtBank, "RCVD"),
                Applied(PendingAtBank),
            ),
            (
                PendingSubmission,
                bank(BankOutcome::Executed, "ACSC"),
                Applied(Executed),
            ),
        ],
    );
}

#[test]
fn payment_rejections_and_returns() {
    use PaymentStatus::*;
    check_payments(
        &bank_actor(),
        vec![
            // RJCT before execution: FAILED.
            (PendingSubmission, rjct("FF01"), Applied(Failed)),
            (Sent, rjct("AC01"), Applied(Failed)),
            (PendingAtBank, rjct("AM04"), Applied(Failed)),
            (Accepted, rjct("MD01"), Applied(Failed)),
            (Unknown, rjct("AC04"), Applied(Failed)),
            // RJCT after execution: RETURNED.
            (Executed, rjct("AC04"), Applied(Returned)),
            (Reconciled, rjct("AC04"), Applied(Returned)),
            // Returns.
            (Sent, returned("AC04"), Applied(Returned)),
            (
                Accepted,
                bank(BankOutcome::Returned, "RJCT"),
                Applied(Returned),
            ),
            (Executed, returned("FOCR"), Applied(Returned)),
            (Reconciled, returned("MD06"), Applied(Returned)),
        ],
    );
}

#[test]
fn payment_evidence_that_cannot_apply_is_recorded_not_applied() {
    use PaymentStatus::*;
    check_payments(
        &bank_actor(),
        vec![
            // Regressions.
            (Executed, bank(BankOutcome::Accepted, "ACSP"), Kept),
            (Executed, bank(BankOutcome::PendingAtBank, "PDNG"), Kept),
            (Accepted, bank(BankOutcome::PendingAtBank, "ACTC"), Kept),
            (Reconciled, booked(BookingReport::Notification), Kept),
            (Reconciled, bank(BankOutcome::Executed, "ACSC"), Kept),
            (Executed, uploaded(), Kept),
            // Duplicates.
            (Sent, uploaded(), Kept),
            (Accepted, bank(BankOutcome::Accepted, "ACSP"), Kept),
            (Executed, booked(BookingReport::Notification), Kept),
            (Reconciled, booked(BookingReport::Statement), Kept),
            (Failed, rjct("AC01"), Kept),
            (Returned, returned("AC04"), Kept),
            // After a final status.
            (Failed, bank(BankOutcome::Executed, "ACSC"), Kept),
            (Failed, returned("AC04"), Kept),
            (Returned, booked(BookingReport::Statement), Kept),
            (Returned, rjct("AC04"), Kept),
            (Rejected, bank(BankOutcome::Accepted, "ACSP"), Kept),
            // On a payment never submitted.
            (Created, bank(BankOutcome::Executed, "ACSC"), Kept),
            (Approved, uploaded(), Kept),
            (Approved, returned("AC04"), Kept),
        ],
    );
}

#[test]
fn payment_status_unknown_and_recovery() {
    use PaymentStatus::*;
    check_payments(
        &Actor::System,
        vec![
            (PendingSubmission, payment_unknown(), Applied(Unknown)),
            (Sent, payment_unknown(), Applied(Unknown)),
            (PendingAtBank, payment_unknown(), Applied(Unknown)),
            (Accepted, payment_unknown(), Applied(Unknown)),
            (Unknown, payment_unknown(), Kept),
            (Created, payment_unknown(), Kept),
            (Executed, payment_unknown(), Kept),
            (Reconciled, payment_unknown(), Kept),
            (Failed, payment_unknown(), Kept),
            // Any evidence leaves UNKNOWN.
            (Unknown, uploaded(), Applied(Sent)),
            (
                Unknown,
                bank(BankOutcome::PendingAtBank, "PDNG"),
                Applied(PendingAtBank),
            ),
            (
                Unknown,
                bank(BankOutcome::Executed, "ACSC"),
                Applied(Executed),
            ),
            (
                Unknown,
                booked(BookingReport::Statement),
                Applied(Reconciled),
            ),
            (Unknown, returned("AC04"), Applied(Returned)),
        ],
    );
}

#[test]
fn payment_force_update_from_every_status_to_every_status() {
    for &from in PaymentStatus::ALL {
        for &to in PaymentStatus::ALL {
            let force = || PaymentEvent::OperatorForceUpdate {
                to,
                reason: "bank confirmed by phone".into(),
            };
            check::<Payment>(
                &operator(),
                from,
                force(),
                if from == to { Kept } else { Applied(to) },
            );
            check::<Payment>(&bank_actor(), from, force(), Refused);
            check::<Payment>(&Actor::Operator(" ".into()), from, force(), Refused);
            let blank = PaymentEvent::OperatorForceUpdate {
                to,
                reason: "  ".into(),
            };
            check::<Payment>(&operator(), from, blank, Refused);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mandate events, shortened.

fn m_bank(code: &str) -> MandateEvent {
    MandateEvent::BankStatusReceived {
        evidence: Evidence::status(code),
    }
}

fn m_uploaded() -> MandateEvent {
    MandateEvent::FileUploaded {
        evidence: Evidence::default().with_source("ag-0001.txt"),
    }
}

fn activated() -> MandateEvent {
    MandateEvent::Activated {
        evidence: Evidence::default().with_source("first collection pay-0001"),
    }
}

fn m_failed(reason: &str) -> MandateEvent {
    MandateEvent::Failed {
        evidence: Evidence::status("RJCT").with_reason(reason),
    }
}

fn m_cancelled(reason: &str) -> MandateEvent {
    MandateEvent::Cancelled {
        evidence: Evidence::default().with_reason(reason),
    }
}

fn cancel_requested() -> MandateEvent {
    MandateEvent::CancellationRequested {
        reason: Some("customer left".into()),
    }
}

fn m_unknown() -> MandateEvent {
    MandateEvent::StatusUnknown {
        reason: "TK73 04+10 already registered or under inquiry".into(),
        evidence: Evidence::status("04").with_reason("10"),
    }
}

fn check_mandates(actor: &Actor, rows: Vec<(MandateStatus, MandateEvent, Expect<MandateStatus>)>) {
    for (from, event, expect) in rows {
        check::<Mandate>(actor, from, event, expect);
    }
}

#[test]
fn mandate_registration() {
    use MandateStatus::*;
    check_mandates(
        &bank_actor(),
        vec![
            (
                Created,
                MandateEvent::SubmissionStarted,
                Applied(PendingSubmission),
            ),
            (PendingSubmission, m_uploaded(), Applied(Sent)),
            (Sent, m_bank("42"), Applied(Accepted)),
            (Accepted, activated(), Applied(Active)),
            // Created with active=true, or a SEPA mandate signed: straight to ACTIVE.
            (Created, activated(), Applied(Active)),
            // Skips.
            (Sent, activated(), Applied(Active)),
            (Created, m_uploaded(), Applied(Sent)),
            // Failures (MD01/MD02, TK73 error comments), also after activation.
            (Created, m_failed("MD01"), Applied(Failed)),
            (Sent, m_failed("05"), Applied(Failed)),
            (Accepted, m_failed("MD02"), Applied(Failed)),
            (Active, m_failed("MD01"), Applied(Failed)),
        ],
    );
}

#[test]
fn mandate_cancellation() {
    use MandateStatus::*;
    check_mandates(
        &Actor::System,
        vec![
            (Active, cancel_requested(), Applied(PendingCancellation)),
            (
                PendingCancellation,
                MandateEvent::CancellationSubmissionStarted,
                Applied(PendingCancellationSubmission),
            ),
            (
                PendingCancellationSubmission,
                MandateEvent::CancellationSent {
                    evidence: Evidence::default().with_source("ag-0002.txt"),
                },
                Applied(CancellationSent),
            ),
            (CancellationSent, m_cancelled("33"), Applied(Cancelled)),
            // Counterparty or bank cancels: MD07, AC04.
            (Active, m_cancelled("MD07"), Applied(Cancelled)),
            (Active, m_cancelled("AC04"), Applied(Cancelled)),
            (Sent, m_cancelled("46"), Applied(Cancelled)),
            (PendingCancellation, m_cancelled("MD07"), Applied(Cancelled)),
            // Cancelling before activation.
            (Accepted, cancel_requested(), Applied(PendingCancellation)),
            (Created, cancel_requested(), Applied(PendingCancellation)),
            // Duplicates and refusals.
            (PendingCancellation, cancel_requested(), Kept),
            (CancellationSent, cancel_requested(), Refused),
            (Cancelled, cancel_requested(), Refused),
            (Failed, cancel_requested(), Refused),
            (Active, MandateEvent::CancellationSubmissionStarted, Refused),
            (Sent, MandateEvent::SubmissionStarted, Refused),
            (PendingSubmission, MandateEvent::SubmissionStarted, Kept),
        ],
    );
}

#[test]
fn mandate_evidence_that_cannot_apply_is_recorded_not_applied() {
    use MandateStatus::*;
    check_mandates(
        &bank_actor(),
        vec![
            (Active, m_bank("42"), Kept),
            (Active, m_uploaded(), Kept),
            (Active, activated(), Kept),
            (CancellationSent, activated(), Kept),
            (PendingCancellation, m_bank("42"), Kept),
            (Cancelled, activated(), Kept),
            (Cancelled, m_cancelled("MD07"), Kept),
            (Failed, m_cancelled("MD07"), Kept),
            (Failed, activated(), Kept),
            (Cancelled, m_failed("MD01"), Kept),
        ],
    );
}

#[test]
fn mandate_status_unknown_and_recovery() {
    use MandateStatus::*;
    check_mandates(
        &bank_actor(),
        vec![
            (Sent, m_unknown(), Applied(Unknown)),
            (Accepted, m_unknown(), Applied(Unknown)),
            (CancellationSent, m_unknown(), Applied(Unknown)),
            (Unknown, m_unknown(), Kept),
            (Created, m_unknown(), Kept),
            (Active, m_unknown(), Kept),
            (Cancelled, m_unknown(), Kept),
            (Unknown, activated(), Applied(Active)),
            (Unknown, m_bank("42"), Applied(Accepted)),
            (Unknown, m_cancelled("33"), Applied(Cancelled)),
            (Unknown, cancel_requested(), Applied(PendingCancellation)),
            (Unknown, MandateEvent::SubmissionStarted, Refused),
        ],
    );
}

#[test]
fn mandate_force_update_from_every_status_to_every_status() {
    for &from in MandateStatus::ALL {
        for &to in MandateStatus::ALL {
            let force = || MandateEvent::OperatorForceUpdate {
                to,
                reason: "TK73 advice lost".into(),
            };
            check::<Mandate>(
                &operator(),
                from,
                force(),
                if from == to { Kept } else { Applied(to) },
            );
            check::<Mandate>(&Actor::System, from, force(), Refused);
            let blank = MandateEvent::OperatorForceUpdate {
                to,
                reason: String::new(),
            };
            check::<Mandate>(&operator(), from, blank, Refused);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Names, records, errors.

#[test]
fn text_names_are_the_documented_ones() {
    let names = |all: Vec<String>| all.join(" ");
    assert_eq!(
        names(PaymentStatus::ALL.iter().map(ToString::to_string).collect()),
        "CREATED REJECTED APPROVED PENDING_SUBMISSION SENT PENDING_AT_BANK ACCEPTED EXECUTED \
         FAILED RECONCILED RETURNED UNKNOWN"
    );
    assert_eq!(
        names(MandateStatus::ALL.iter().map(ToString::to_string).collect()),
        "CREATED PENDING_SUBMISSION SENT ACCEPTED ACTIVE PENDING_CANCELLATION \
         PENDING_CANCELLATION_SUBMISSION CANCELLATION_SENT FAILED CANCELLED UNKNOWN"
    );
    assert_eq!(
        names(
            PaymentEventKind::ALL
                .iter()
                .map(ToString::to_string)
                .collect()
        ),
        "CREATED APPROVED REJECTED SUBMISSION_STARTED SUBMISSION_REFUSED FILE_UPLOADED BANK_STATUS_RECEIVED \
         STATEMENT_BOOKED RETURN_RECEIVED STATUS_UNKNOWN OPERATOR_FORCE_UPDATE"
    );
    assert_eq!(
        names(
            MandateEventKind::ALL
                .iter()
                .map(ToString::to_string)
                .collect()
        ),
        "CREATED SUBMISSION_STARTED FILE_UPLOADED BANK_STATUS_RECEIVED ACTIVATED FAILED \
         CANCELLATION_REQUESTED CANCELLATION_SUBMISSION_STARTED CANCELLATION_SENT CANCELLED \
         STATUS_UNKNOWN OPERATOR_FORCE_UPDATE"
    );
    for status in PaymentStatus::ALL {
        assert_eq!(status.to_string().parse::<PaymentStatus>(), Ok(*status));
    }
    for status in MandateStatus::ALL {
        assert_eq!(status.to_string().parse::<MandateStatus>(), Ok(*status));
    }
    assert!("EXECUTED ".parse::<PaymentStatus>().is_err());
    assert!("executed".parse::<PaymentStatus>().is_err());
}

#[test]
fn created_records_have_no_status_before() {
    let ctx = EventContext::new(Actor::Customer("acme".into()), at());
    let (payment, record) = Payment::create("pay-7", &ctx);
    assert_eq!(payment.status(), PaymentStatus::Created);
    assert_eq!(payment.id(), "pay-7");
    assert_eq!(
        record,
        PaymentRecord {
            entity: EntityKind::Payment,
            entity_id: "pay-7".into(),
            event: PaymentEventKind::Created,
            actor: Actor::Customer("acme".into()),
            at: at(),
            status_before: None,
            status_after: PaymentStatus::Created,
            applied: true,
            reason: None,
            evidence: None,
            note: None,
        }
    );
    let (mandate, record) = Mandate::create("mnd-7", &ctx);
    assert_eq!(mandate.status(), MandateStatus::Created);
    assert_eq!(
        (
            record.entity,
            record.event,
            record.status_before,
            record.status_after
        ),
        (
            EntityKind::Mandate,
            MandateEventKind::Created,
            None,
            MandateStatus::Created
        )
    );
}

#[test]
fn rejection_after_execution_record_and_json() {
    let mut payment = Payment::restore("pay-9", PaymentStatus::Executed);
    let evidence = Evidence::status("RJCT")
        .with_reason("AC04")
        .with_source("pain002-MSG-42");
    let record = payment
        .apply(
            PaymentEvent::BankStatusReceived {
                outcome: BankOutcome::Failed,
                evidence: evidence.clone(),
            },
            &EventContext::new(bank_actor(), at()),
        )
        .expect("evidence is never refused");
    assert_eq!(payment.status(), PaymentStatus::Returned);
    assert_eq!(
        record,
        PaymentRecord {
            entity: EntityKind::Payment,
            entity_id: "pay-9".into(),
            event: PaymentEventKind::BankStatusReceived,
            actor: bank_actor(),
            at: at(),
            status_before: Some(PaymentStatus::Executed),
            status_after: PaymentStatus::Returned,
            applied: true,
            reason: None,
            evidence: Some(evidence),
            note: Some("rejection after EXECUTED recorded as RETURNED".into()),
        }
    );
    let json = serde_json::to_string(&record).expect("serializes");
    assert_eq!(
        json,
        r#"{"entity":"PAYMENT","entity_id":"pay-9","event":"BANK_STATUS_RECEIVED","actor":"bank:nordea-sftp","at":"2026-03-02T10:15:00Z","status_before":"EXECUTED","status_after":"RETURNED","applied":true,"reason":null,"evidence":{"status_code":"RJCT","reason_code":"AC04","source":"pain002-MSG-42"},"note":"rejection after EXECUTED recorded as RETURNED"}"#
    );
    let back: PaymentRecord = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, record);
}

#[test]
fn force_update_record_carries_operator_and_reason() {
    let mut mandate = Mandate::restore("mnd-3", MandateStatus::Cancelled);
    let record = mandate
        .apply(
            MandateEvent::OperatorForceUpdate {
                to: MandateStatus::Active,
                reason: "cancellation sent by mistake, bank reinstated".into(),
            },
            &EventContext::new(operator(), at()),
        )
        .expect("operator with reason");
    assert_eq!(mandate.status(), MandateStatus::Active);
    assert_eq!(record.actor.to_string(), "operator:alice");
    assert_eq!(
        record.reason.as_deref(),
        Some("cancellation sent by mistake, bank reinstated")
    );
    assert_eq!(record.event, MandateEventKind::OperatorForceUpdate);
    let json = serde_json::to_value(&record).expect("serializes");
    let back: MandateRecord = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, record);
}

#[test]
fn refusal_names_expected_and_actual_status() {
    let mut payment = Payment::restore("pay-5", PaymentStatus::Sent);
    let error = payment
        .apply(
            PaymentEvent::Approved,
            &EventContext::new(Actor::System, at()),
        )
        .expect_err("approve after SENT");
    assert_eq!(
        error,
        TransitionError {
            entity: EntityKind::Payment,
            entity_id: "pay-5".into(),
            event: "APPROVED".into(),
            expected: "status CREATED".into(),
            actual: "status SENT".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        "PAYMENT pay-5: APPROVED expected status CREATED, got status SENT"
    );
    let error = payment
        .apply(
            PaymentEvent::OperatorForceUpdate {
                to: PaymentStatus::Executed,
                reason: "x".into(),
            },
            &EventContext::new(bank_actor(), at()),
        )
        .expect_err("force by a bank");
    assert_eq!(
        (error.expected.as_str(), error.actual.as_str()),
        ("actor operator:<name>", "actor bank:nordea-sftp")
    );
    assert_eq!(payment.status(), PaymentStatus::Sent);
}

#[test]
fn actor_text_form() {
    for (text, actor) in [
        ("system", Actor::System),
        ("customer:acme", Actor::Customer("acme".into())),
        ("bank:nordea:sftp", Actor::Bank("nordea:sftp".into())),
        ("operator:alice", Actor::Operator("alice".into())),
    ] {
        assert_eq!(text.parse::<Actor>(), Ok(actor.clone()), "{text}");
        assert_eq!(actor.to_string(), text);
    }
    for bad in ["", "System", "robot:x", "operator"] {
        assert!(bad.parse::<Actor>().is_err(), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Random event sequences. The allowed moves are written out here, from the issue text,
// without calling the implementation's order.

const PAYMENT_PATH: [PaymentStatus; 8] = [
    PaymentStatus::Created,
    PaymentStatus::Approved,
    PaymentStatus::PendingSubmission,
    PaymentStatus::Sent,
    PaymentStatus::PendingAtBank,
    PaymentStatus::Accepted,
    PaymentStatus::Executed,
    PaymentStatus::Reconciled,
];

const MANDATE_PATH: [MandateStatus; 8] = [
    MandateStatus::Created,
    MandateStatus::PendingSubmission,
    MandateStatus::Sent,
    MandateStatus::Accepted,
    MandateStatus::Active,
    MandateStatus::PendingCancellation,
    MandateStatus::PendingCancellationSubmission,
    MandateStatus::CancellationSent,
];

fn rank<S: PartialEq>(path: &[S], status: S) -> Option<usize> {
    path.iter().position(|s| *s == status)
}

/// Whether anything but a force update may move a payment from `s` to `t`.
fn payment_move_allowed(s: PaymentStatus, t: PaymentStatus) -> bool {
    use PaymentStatus::*;
    let path = |x| rank(&PAYMENT_PATH, x);
    let submitted = |x| !matches!(x, Created | Approved);
    if matches!(s, Rejected | Failed | Returned) {
        return false;
    }
    match t {
        Rejected => matches!(s, Created | Approved),
        Failed => s == Unknown || (submitted(s) && path(s) < path(Executed)),
        Returned => submitted(s),
        Unknown => matches!(s, PendingSubmission | Sent | PendingAtBank | Accepted),
        _ if s == Unknown => path(t) >= path(Sent),
        _ => path(t) > path(s),
    }
}

/// Whether anything but a force update may move a mandate from `s` to `t`.
fn mandate_move_allowed(s: MandateStatus, t: MandateStatus) -> bool {
    use MandateStatus::*;
    let path = |x| rank(&MANDATE_PATH, x);
    if matches!(s, Failed | Cancelled) {
        return false;
    }
    match t {
        Failed | Cancelled => true,
        Unknown => matches!(
            s,
            PendingSubmission | Sent | Accepted | PendingCancellationSubmission | CancellationSent
        ),
        _ if s == Unknown => !matches!(
            t,
            Created | PendingSubmission | PendingCancellationSubmission
        ),
        _ => path(t) > path(s),
    }
}

fn actors() -> impl Strategy<Value = Actor> {
    prop::sample::select(vec![
        Actor::System,
        Actor::Customer("acme".into()),
        Actor::Bank("nordea-sftp".into()),
        Actor::Operator("alice".into()),
        Actor::Operator(String::new()),
    ])
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (
        prop::option::of(prop::sample::select(vec!["ACTC", "ACSC", "RJCT", "PDNG"])),
        prop::option::of(prop::sample::select(vec!["AC01", "AC04", "MD01", "MD07"])),
    )
        .prop_map(|(status, reason)| Evidence {
            status_code: status.map(str::to_owned),
            reason_code: reason.map(str::to_owned),
            source: None,
        })
}

fn reasons() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "checked with bank"]).prop_map(str::to_owned)
}

fn payment_events() -> impl Strategy<Value = PaymentEvent> {
    prop_oneof![
        Just(PaymentEvent::Approved),
        Just(PaymentEvent::Rejected { reason: None }),
        Just(PaymentEvent::SubmissionStarted),
        evidence().prop_map(|evidence| PaymentEvent::FileUploaded { evidence }),
        (prop::sample::select(BankOutcome::ALL), evidence())
            .prop_map(|(outcome, evidence)| PaymentEvent::BankStatusReceived { outcome, evidence }),
        (prop::sample::select(BookingReport::ALL), evidence())
            .prop_map(|(report, evidence)| PaymentEvent::StatementBooked { report, evidence }),
        evidence().prop_map(|evidence| PaymentEvent::ReturnReceived { evidence }),
        (reasons(), evidence())
            .prop_map(|(reason, evidence)| PaymentEvent::StatusUnknown { reason, evidence }),
        (prop::sample::select(PaymentStatus::ALL), reasons())
            .prop_map(|(to, reason)| PaymentEvent::OperatorForceUpdate { to, reason }),
    ]
}

fn mandate_events() -> impl Strategy<Value = MandateEvent> {
    prop_oneof![
        Just(MandateEvent::SubmissionStarted),
        evidence().prop_map(|evidence| MandateEvent::FileUploaded { evidence }),
        evidence().prop_map(|evidence| MandateEvent::BankStatusReceived { evidence }),
        evidence().prop_map(|evidence| MandateEvent::Activated { evidence }),
        evidence().prop_map(|evidence| MandateEvent::Failed { evidence }),
        Just(MandateEvent::CancellationRequested { reason: None }),
        Just(MandateEvent::CancellationSubmissionStarted),
        evidence().prop_map(|evidence| MandateEvent::CancellationSent { evidence }),
        evidence().prop_map(|evidence| MandateEvent::Cancelled { evidence }),
        (reasons(), evidence())
            .prop_map(|(reason, evidence)| MandateEvent::StatusUnknown { reason, evidence }),
        (prop::sample::select(MandateStatus::ALL), reasons())
            .prop_map(|(to, reason)| MandateEvent::OperatorForceUpdate { to, reason }),
    ]
}

/// Runs `events` from `start` and checks every step: the record matches the actual
/// statuses, `applied` means changed, refusals change nothing, and every change that is not
/// a force update is an allowed move.
fn run<M: Machine>(
    start: M::Status,
    events: Vec<(M::Event, Actor)>,
    force_kind: M::Kind,
    allowed: fn(M::Status, M::Status) -> bool,
) -> Result<(), TestCaseError> {
    let mut entity = M::restore(start);
    for (event, actor) in events {
        let before = entity.status();
        let kind = M::kind(&event);
        let label = format!("{before} + {event:?} by {actor}");
        match entity.apply(event, &EventContext::new(actor, at())) {
            Err(_) => prop_assert_eq!(entity.status(), before, "refusal changed status: {}", label),
            Ok(record) => {
                let after = entity.status();
                prop_assert_eq!(record.status_before, Some(before), "{}", &label);
                prop_assert_eq!(record.status_after, after, "{}", &label);
                prop_assert_eq!(record.applied, before != after, "{}", &label);
                prop_assert_eq!(record.event, kind, "{}", &label);
                if !record.applied {
                    prop_assert!(record.note.is_some(), "kept without note: {}", label);
                }
                if record.applied && kind != force_kind {
                    prop_assert!(allowed(before, after), "{} moved to {}", label, after);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn payment_random_sequences(
        start in prop::sample::select(PaymentStatus::ALL),
        events in prop::collection::vec((payment_events(), actors()), 0..40),
    ) {
        run::<Payment>(start, events, PaymentEventKind::OperatorForceUpdate, payment_move_allowed)?;
    }

    #[test]
    fn mandate_random_sequences(
        start in prop::sample::select(MandateStatus::ALL),
        events in prop::collection::vec((mandate_events(), actors()), 0..40),
    ) {
        run::<Mandate>(start, events, MandateEventKind::OperatorForceUpdate, mandate_move_allowed)?;
    }

    /// A force update by a named operator with a reason always lands on its target.
    #[test]
    fn force_update_always_lands(
        from in prop::sample::select(PaymentStatus::ALL),
        to in prop::sample::select(PaymentStatus::ALL),
        mfrom in prop::sample::select(MandateStatus::ALL),
        mto in prop::sample::select(MandateStatus::ALL),
    ) {
        let ctx = EventContext::new(operator(), at());
        let reason = "reconciled by hand".to_owned();
        let mut payment = Payment::restore(ID, from);
        payment.apply(PaymentEvent::OperatorForceUpdate { to, reason: reason.clone() }, &ctx)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(payment.status(), to);
        let mut mandate = Mandate::restore(ID, mfrom);
        mandate.apply(MandateEvent::OperatorForceUpdate { to: mto, reason }, &ctx)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(mandate.status(), mto);
    }
}

/// The domain's own `progress()` agrees with the order the tests assume.
#[test]
fn progress_matches_the_documented_order() {
    for status in PaymentStatus::ALL {
        let expected = rank(&PAYMENT_PATH, *status).map(|r| r as u8);
        assert_eq!(status.progress(), expected, "{status}");
        assert_eq!(
            status.is_final(),
            matches!(
                status,
                PaymentStatus::Rejected | PaymentStatus::Failed | PaymentStatus::Returned
            ),
            "{status}"
        );
    }
    for status in MandateStatus::ALL {
        let expected = rank(&MANDATE_PATH, *status).map(|r| r as u8);
        assert_eq!(status.progress(), expected, "{status}");
        assert_eq!(
            status.is_final(),
            matches!(status, MandateStatus::Failed | MandateStatus::Cancelled),
            "{status}"
        );
    }
}
