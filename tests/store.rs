//! The durable store against a real SQLite file in a temporary directory.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use bankgate::domain::event::{Actor, EventContext, Evidence};
use bankgate::domain::instruction::Instruction;
use bankgate::domain::mandate::{Mandate, MandateEvent, MandateStatus};
use bankgate::domain::payment::{BankOutcome, Payment, PaymentEvent, PaymentStatus};
use bankgate::domain::scheme::Scheme;
use bankgate::intake::{self, AccountBook, Format, Limits, RawRecord};
use bankgate::store::*;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

const DEMO: &str = "demo-bank";

fn at(minute: i64) -> Timestamp {
    let base: Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
    base + jiff::SignedDuration::from_mins(minute)
}

fn ctx(actor: Actor, minute: i64) -> EventContext {
    EventContext::new(actor, at(minute))
}

fn system(minute: i64) -> EventContext {
    ctx(Actor::System, minute)
}

fn customer(name: &str, minute: i64) -> EventContext {
    ctx(Actor::Customer(name.to_owned()), minute)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::root().join("fixtures/instructions").join(name)).unwrap()
}

/// An instruction file read by intake, ready to record: every record valid.
struct Prepared {
    file: IncomingFile,
    records: Vec<NewInstruction>,
}

fn prepare(name: &str, bytes: &[u8], connection: &str, approval: ApprovalPolicy) -> Prepared {
    let book = AccountBook::from_config(&common::config());
    let report = intake::read_file(name, bytes, &book, Limits::default());
    assert!(report.is_valid(), "{name}: {:?}", report.diagnostics());
    let text = std::str::from_utf8(bytes).unwrap();
    let split = match Format::from_name(name).unwrap() {
        Format::Json => intake::json::split(text, false),
        Format::Ndjson => intake::json::split(text, true),
        Format::Csv => intake::csv::split(text),
    };
    assert_eq!(split.records.len(), report.records.len());
    let records = report
        .instructions()
        .zip(&split.records)
        .map(|(instruction, (_, value))| {
            let raw = RawRecord::of(value);
            NewInstruction::with_text(
                instruction.clone(),
                raw.json,
                raw.content_sha256,
                connection.to_owned(),
                approval,
            )
        })
        .collect();
    Prepared {
        file: IncomingFile {
            name: name.to_owned(),
            sha256: format!("{:x}", Sha256::digest(bytes)),
            size: bytes.len() as u64,
            received_at: at(0),
        },
        records,
    }
}

async fn open(dir: &Path) -> SqliteStore {
    SqliteStore::open(&dir.join("bankgate.db")).await.unwrap()
}

async fn record(store: &SqliteStore, p: &Prepared, minute: i64) -> RecordSummary {
    match store
        .record_file(&p.file, &p.records, &system(minute))
        .await
        .unwrap()
    {
        RecordOutcome::Recorded(summary) => summary,
        other => panic!("{}: {other:?}", p.file.name),
    }
}

async fn all_payments(store: &SqliteStore) -> Vec<PaymentRow> {
    store.payments(&PaymentFilter::default()).await.unwrap()
}

async fn all_events(store: &SqliteStore) -> Vec<StoredEvent> {
    store.events(&EventFilter::default()).await.unwrap()
}

async fn status(store: &SqliteStore, id: &str) -> PaymentStatus {
    store.payment(id).await.unwrap().unwrap().status
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn fixture_files_are_recorded_with_exact_amounts() {
    for name in ["payments.json", "payments.csv", "collections.ndjson"] {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).await;
        let p = prepare(name, &fixture(name), DEMO, ApprovalPolicy::Manual);
        let summary = record(&store, &p, 1).await;
        let keys: Vec<String> = p
            .records
            .iter()
            .map(|r| r.instruction.key().to_owned())
            .collect();
        assert_eq!(summary.new, keys, "{name}");
        assert!(summary.already_recorded.is_empty(), "{name}");

        let payments = all_payments(&store).await;
        let expected: Vec<_> = p
            .records
            .iter()
            .filter_map(|r| r.instruction.amount().map(|a| (r.instruction.key(), a)))
            .collect();
        assert_eq!(payments.len(), expected.len(), "{name}");
        for (row, (key, amount)) in payments.iter().zip(&expected) {
            assert_eq!(row.id, *key);
            assert_eq!(row.amount, *amount, "{name} {key}: minor units round trip");
            assert_eq!(row.status, PaymentStatus::Created);
            assert_eq!(row.connection, DEMO);
            assert_eq!(row.intake_file, name);
            assert_eq!(row.approvals_required, 1);
            // The raw JSON reads back into the same instruction.
            let value: serde_json::Value = serde_json::from_str(&row.raw_json).unwrap();
            let book = AccountBook::from_config(&common::config());
            let again = intake::instruction::read_record(&value, &book)
                .outcome
                .unwrap();
            assert_eq!(Some(*amount), again.amount());
        }
    }
}

#[tokio::test]
async fn the_same_file_again_is_a_duplicate_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &p, 1).await;
    let (payments, events) = (all_payments(&store).await, all_events(&store).await);

    let mut again = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    again.file.name = "payments-again.json".to_owned();
    let outcome = store
        .record_file(&again.file, &again.records, &system(2))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RecordOutcome::DuplicateFile {
            first_name: "payments.json".to_owned(),
            first_received_at: at(0),
        }
    );
    assert_eq!(all_payments(&store).await, payments);
    assert_eq!(all_events(&store).await, events);
}

const ONE: &str = r#"[{"type": "credit_transfer", "id": "inv-2026-0001", "source_account": "acme-eur",
   "scheme": "SEPA_CREDIT_TRANSFER", "amount": "AMOUNT", "currency": "EUR",
   "requested_date": "2026-11-23", "reference": "Invoice 2026-0001",
   "counterparty": {"name": "Muster GmbH",
     "address": {"country": "DE", "town": "Berlin", "postal_code": "10115", "street": "Hauptstr. 1"},
     "account": {"type": "IBAN", "number": "DE89370400440532013000"},
     "routing": [{"type": "BIC", "value": "COBADEFFXXX"}]}},
  {"id": "NEWID", "type": "credit_transfer", "source_account": "acme-eur",
   "scheme": "SEPA_CREDIT_TRANSFER", "amount": "10.00", "currency": "EUR",
   "counterparty": {"name": "Neu GmbH", "account": {"type": "IBAN", "number": "DE89370400440532013000"}}}]"#;

fn second_file(name: &str, amount: &str, new_id: &str) -> Prepared {
    let text = ONE.replace("AMOUNT", amount).replace("NEWID", new_id);
    prepare(name, text.as_bytes(), DEMO, ApprovalPolicy::Manual)
}

#[tokio::test]
async fn the_same_instruction_in_another_file_is_already_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let first = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &first, 1).await;
    let before = all_payments(&store).await.len();

    // Same content, other formatting: idempotent.
    let summary = record(&store, &second_file("b.json", "1250.00", "new-1"), 2).await;
    assert_eq!(summary.already_recorded, ids(&["inv-2026-0001"]));
    assert_eq!(summary.new, ids(&["new-1"]));
    assert_eq!(all_payments(&store).await.len(), before + 1);
    let kept = store.payment("inv-2026-0001").await.unwrap().unwrap();
    assert_eq!(kept.intake_file, "payments.json");
    assert_eq!(kept.created_at, at(1));

    // The CSV carries the same instructions as the JSON file.
    let csv = prepare(
        "payments.csv",
        &fixture("payments.csv"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    let summary = record(&store, &csv, 3).await;
    assert!(summary.new.is_empty(), "{summary:?}");
    assert_eq!(summary.already_recorded.len(), csv.records.len());
}

#[tokio::test]
async fn the_same_id_with_other_content_is_a_conflict_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let first = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &first, 1).await;
    let (payments, events) = (all_payments(&store).await, all_events(&store).await);

    let changed = second_file("c.json", "1250.01", "new-2");
    let err = store
        .record_file(&changed.file, &changed.records, &system(2))
        .await
        .unwrap_err();
    match &err {
        StoreError::Conflict { key, first_file } => {
            assert_eq!(key, "inv-2026-0001");
            assert_eq!(first_file, "payments.json");
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.retryable());
    assert!(err.to_string().contains("inv-2026-0001"), "{err}");
    assert_eq!(all_payments(&store).await, payments);
    assert_eq!(all_events(&store).await, events);
    assert!(store.payment("new-2").await.unwrap().is_none());

    // Nothing of the file was kept, not even its ledger row: fixed, it records.
    let fixed = prepare(
        "c.json",
        ONE.replace("AMOUNT", "1250.00")
            .replace("NEWID", "new-2")
            .as_bytes(),
        DEMO,
        ApprovalPolicy::Manual,
    );
    let outcome = store
        .record_file(&changed.file, &fixed.records, &system(3))
        .await
        .unwrap();
    assert!(matches!(outcome, RecordOutcome::Recorded(ref s) if s.new == ids(&["new-2"])));
}

#[tokio::test]
async fn approval_policies() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let cases = [
        ("auto", ApprovalPolicy::Auto, PaymentStatus::Approved, 2),
        ("manual", ApprovalPolicy::Manual, PaymentStatus::Created, 1),
        (
            "four-eyes",
            ApprovalPolicy::FourEyes,
            PaymentStatus::Created,
            1,
        ),
    ];
    for (i, (id, policy, expected, events)) in cases.into_iter().enumerate() {
        let text = ONE.replace("AMOUNT", "1.00").replace("NEWID", id);
        let text = text.replace("inv-2026-0001", &format!("{id}-x"));
        let p = prepare(&format!("{id}.json"), text.as_bytes(), DEMO, policy);
        record(&store, &p, i as i64).await;
        assert_eq!(status(&store, id).await, expected, "{id}");
        let trail = store
            .events(&EventFilter {
                entity_id: Some(id.to_owned()),
                limit: None,
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), events, "{id}: {trail:?}");
        if policy == ApprovalPolicy::Auto {
            assert_eq!(trail[1].event, "APPROVED");
            assert_eq!(trail[1].actor, Actor::System);
            assert_eq!(trail[1].status_before.as_deref(), Some("CREATED"));
            assert_eq!(trail[1].status_after, "APPROVED");
        }
    }

    // Manual: one approval.
    let records = store
        .approve(&ids(&["manual"]), "alice", &customer("alice", 10))
        .await
        .unwrap();
    assert!(records[0].applied);
    assert_eq!(status(&store, "manual").await, PaymentStatus::Approved);

    // Four eyes: the first approval is recorded but does not approve.
    let records = store
        .approve(&ids(&["four-eyes"]), "alice", &customer("alice", 11))
        .await
        .unwrap();
    assert!(!records[0].applied);
    assert_eq!(status(&store, "four-eyes").await, PaymentStatus::Created);
    let err = store
        .approve(&ids(&["four-eyes"]), "alice", &customer("alice", 12))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::SameApprover { approver, .. } if approver == "alice"),
        "{err:?}"
    );
    assert!(err.to_string().contains("alice"), "{err}");
    let records = store
        .approve(&ids(&["four-eyes"]), "bob", &customer("bob", 13))
        .await
        .unwrap();
    assert!(records[0].applied);
    let row = store.payment("four-eyes").await.unwrap().unwrap();
    assert_eq!(row.status, PaymentStatus::Approved);
    assert_eq!(row.approvals, ids(&["alice", "bob"]));

    // Approving again is a duplicate: recorded, not applied.
    let records = store
        .approve(&ids(&["four-eyes"]), "carol", &customer("carol", 14))
        .await
        .unwrap();
    assert!(!records[0].applied);

    // An unknown id fails the whole call.
    let err = store
        .approve(&ids(&["auto", "nope"]), "alice", &customer("alice", 15))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { ref id, .. } if id == "nope"));
}

#[tokio::test]
async fn reject() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &p, 1).await;
    let records = store
        .reject(
            &ids(&["inv-2026-0001"]),
            Some("wrong supplier"),
            &customer("alice", 2),
        )
        .await
        .unwrap();
    assert_eq!(records[0].reason.as_deref(), Some("wrong supplier"));
    assert_eq!(
        status(&store, "inv-2026-0001").await,
        PaymentStatus::Rejected
    );
    let err = store
        .approve(&ids(&["inv-2026-0001"]), "bob", &customer("bob", 3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err:?}");
    let last = all_events(&store).await.pop().unwrap();
    assert_eq!(last.event, "REJECTED");
    assert_eq!(last.reason.as_deref(), Some("wrong supplier"));
}

/// payments.json on demo-bank (auto-approved except `inv-2026-0002`, left CREATED), and
/// a file of the same ids' siblings on another connection.
async fn claim_setup(store: &SqliteStore) -> Vec<String> {
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Auto,
    );
    record(store, &p, 1).await;
    store
        .force_payment_status(
            "inv-2026-0002",
            PaymentStatus::Created,
            "test: back to created",
            &ctx(Actor::Operator("olle".to_owned()), 2),
        )
        .await
        .unwrap();
    let other = ONE
        .replace("AMOUNT", "5.00")
        .replace("NEWID", "other-2")
        .replace("inv-2026-0001", "other-1");
    let o = prepare(
        "other.json",
        other.as_bytes(),
        "other-bank",
        ApprovalPolicy::Auto,
    );
    record(store, &o, 3).await;
    p.records
        .iter()
        .map(|r| r.instruction.key().to_owned())
        .filter(|k| k != "inv-2026-0002")
        .collect()
}

#[tokio::test]
async fn claim_takes_only_approved_payments_of_the_connection_and_schemes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let approved = claim_setup(&store).await;
    let rows = all_payments(&store).await;
    let scheme_of = |id: &str| rows.iter().find(|r| r.id == id).unwrap().scheme;

    let sepa = [
        Scheme::SepaCreditTransfer,
        Scheme::SepaInstantCreditTransfer,
    ];
    let claimed = store
        .claim_for_submission(DEMO, &sepa, 100, &system(5))
        .await
        .unwrap();
    let expected: Vec<&String> = approved
        .iter()
        .filter(|id| sepa.contains(&scheme_of(id)))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(claimed.iter().map(|c| &c.id).collect::<Vec<_>>(), expected);
    let ids: Vec<&str> = claimed.iter().map(|c| c.id.as_str()).collect();
    let documents = store.payment_documents(&ids).await.unwrap();
    assert_eq!(documents.len(), claimed.len());
    for c in &claimed {
        let row = store.payment(&c.id).await.unwrap().unwrap();
        assert_eq!(row.status, PaymentStatus::PendingSubmission);
        assert_eq!(c.amount, row.amount);
        assert_eq!(documents[&c.id], row.raw_json);
    }
    // Only payments have documents; unknown ids are left out.
    assert!(
        store
            .payment_documents(&["no-such-payment", "MNDT-1"])
            .await
            .unwrap()
            .is_empty()
    );
    // Claimed once: nothing left of those schemes; the limit is honoured.
    assert!(
        store
            .claim_for_submission(DEMO, &sepa, 100, &system(6))
            .await
            .unwrap()
            .is_empty()
    );
    let one = store
        .claim_for_submission(DEMO, Scheme::ALL, 1, &system(7))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    // CREATED and other connections are never claimed.
    let rest = store
        .claim_for_submission(DEMO, Scheme::ALL, 100, &system(8))
        .await
        .unwrap();
    assert_eq!(claimed.len() + one.len() + rest.len(), approved.len());
    assert_eq!(
        status(&store, "inv-2026-0002").await,
        PaymentStatus::Created
    );
    assert_eq!(status(&store, "other-1").await, PaymentStatus::Approved);
}

#[tokio::test]
async fn concurrent_claimers_never_claim_a_payment_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let approved = claim_setup(&store).await;
    // A second store on the same file stands in for a second process.
    let second = open(dir.path()).await;
    let mut tasks = Vec::new();
    for (i, s) in [store.clone(), store.clone(), second.clone(), second]
        .into_iter()
        .enumerate()
    {
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = s
                    .claim_for_submission(DEMO, Scheme::ALL, 1, &system(10 + i as i64))
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|c| c.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(unique.len(), all.len(), "claimed twice: {all:?}");
    assert_eq!(unique, approved.into_iter().collect());
    let started = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.event == "SUBMISSION_STARTED")
        .count();
    assert_eq!(started, all.len());
}

fn outbound(message_id: &str, payment_ids: &[String]) -> OutboundFile {
    OutboundFile {
        message_id: message_id.to_owned(),
        connection: DEMO.to_owned(),
        name: format!("{message_id}.xml"),
        sha256: "ab".repeat(32),
        size: 1234,
        transactions: payment_ids
            .iter()
            .map(|id| FileTransaction {
                payment_id: id.clone(),
                end_to_end_id: id.clone(),
                payment_information_id: format!("{message_id}-1"),
            })
            .collect(),
        archive: format!("archive/{message_id}.xml"),
    }
}

#[tokio::test]
async fn outbound_file_states() {
    use FileState as F;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let approved = claim_setup(&store).await;
    let claimed: Vec<String> = store
        .claim_for_submission(DEMO, Scheme::ALL, 2, &system(4))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(claimed, approved[..2]);

    store
        .record_outbound_file(&outbound("MSG-1", &claimed), &system(5))
        .await
        .unwrap();
    let err = store
        .record_outbound_file(&outbound("MSG-1", &claimed), &system(5))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unexpected { .. }), "{err:?}");
    let err = store
        .record_outbound_file(&outbound("MSG-X", &ids(&["nope"])), &system(5))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store
            .outbound_files(&OutboundFilter::default())
            .await
            .unwrap()
            .len(),
        1,
        "MSG-X rolled back"
    );

    // (from, to, legal) in order; an illegal move changes nothing.
    let steps = [
        (F::Built, F::Uploaded, false),
        (F::Built, F::Uploading, true),
        (F::Uploading, F::UnknownOutcome, true),
        (F::UnknownOutcome, F::Built, false),
        (F::UnknownOutcome, F::Uploaded, true),
        (F::Uploaded, F::Acknowledged, true),
        (F::Acknowledged, F::Uploading, false),
    ];
    for (i, (from, to, legal)) in steps.into_iter().enumerate() {
        let result = store
            .set_outbound_file_state("MSG-1", from, to, Some("test"), &system(6 + i as i64))
            .await;
        assert_eq!(result.is_ok(), legal, "{from} -> {to}: {result:?}");
        if let Err(StoreError::Unexpected {
            expected, actual, ..
        }) = &result
        {
            assert!(actual.contains(&format!("{from} to {to}")), "{actual}");
            assert!(expected.contains(from.as_str()), "{expected}");
        }
    }
    // The caller's idea of the state is checked too.
    let err = store
        .set_outbound_file_state("MSG-1", F::Uploaded, F::Acknowledged, None, &system(20))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "outbound file MSG-1: expected state UPLOADED, got state ACKNOWLEDGED"
    );
    let err = store
        .set_outbound_file_state("MSG-9", F::Built, F::Uploading, None, &system(20))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }));

    let files = store
        .outbound_files(&OutboundFilter {
            state: Some(F::Acknowledged),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file, outbound("MSG-1", &claimed));
    assert_eq!(files[0].created_at, at(5));
    let trail: Vec<(Option<String>, String)> = store
        .events(&EventFilter {
            entity_id: Some("MSG-1".to_owned()),
            limit: None,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.status_before, e.status_after))
        .collect();
    let s = |x: &str| x.to_owned();
    assert_eq!(
        trail,
        vec![
            (None, s("BUILT")),
            (Some(s("BUILT")), s("UPLOADING")),
            (Some(s("UPLOADING")), s("UNKNOWN_OUTCOME")),
            (Some(s("UNKNOWN_OUTCOME")), s("UPLOADED")),
            (Some(s("UPLOADED")), s("ACKNOWLEDGED")),
        ]
    );
}

#[tokio::test]
async fn event_records_apply_and_the_audit_trail_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &p, 1).await;
    let id = "inv-2026-0001";
    store
        .approve(&ids(&[id]), "alice", &customer("alice", 2))
        .await
        .unwrap();
    store
        .claim_for_submission(DEMO, &[Scheme::SepaCreditTransfer], 10, &system(3))
        .await
        .unwrap();

    let bank = |minute| ctx(Actor::Bank(DEMO.to_owned()), minute);
    let mut payment = Payment::restore(id, status(&store, id).await);
    let records = vec![
        payment
            .apply(
                PaymentEvent::FileUploaded {
                    evidence: Evidence::default().with_source("MSG-1"),
                },
                &system(4),
            )
            .unwrap(),
        payment
            .apply(
                PaymentEvent::BankStatusReceived {
                    outcome: BankOutcome::Accepted,
                    evidence: Evidence::status("ACSP"),
                },
                &bank(5),
            )
            .unwrap(),
        // Late ACTC after ACSP: recorded, not applied.
        payment
            .apply(
                PaymentEvent::BankStatusReceived {
                    outcome: BankOutcome::PendingAtBank,
                    evidence: Evidence::status("ACTC"),
                },
                &bank(6),
            )
            .unwrap(),
    ];
    assert!(!records[2].applied);
    store.apply_payment_events(&records).await.unwrap();
    assert_eq!(status(&store, id).await, PaymentStatus::Accepted);

    // A record computed from a stale status is refused.
    let stale = Payment::restore(id, PaymentStatus::Sent)
        .apply(
            PaymentEvent::BankStatusReceived {
                outcome: BankOutcome::Executed,
                evidence: Evidence::status("ACSC"),
            },
            &bank(7),
        )
        .unwrap();
    let err = store.apply_payment_events(&[stale]).await.unwrap_err();
    assert!(err.to_string().contains("got status ACCEPTED"), "{err}");

    // Force: operator only, through the state machine.
    let err = store
        .force_payment_status(
            id,
            PaymentStatus::Failed,
            "bank phoned",
            &customer("eve", 8),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err:?}");
    let forced = store
        .force_payment_status(
            id,
            PaymentStatus::Failed,
            "bank phoned: account closed",
            &ctx(Actor::Operator("olle".to_owned()), 9),
        )
        .await
        .unwrap();
    assert!(forced.applied);
    assert_eq!(status(&store, id).await, PaymentStatus::Failed);

    let trail = store
        .events(&EventFilter {
            entity_id: Some(id.to_owned()),
            limit: None,
        })
        .await
        .unwrap();
    let summary: Vec<(&str, Option<&str>, &str, bool)> = trail
        .iter()
        .map(|e| {
            (
                e.event.as_str(),
                e.status_before.as_deref(),
                e.status_after.as_str(),
                e.applied,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("CREATED", None, "CREATED", true),
            ("APPROVED", Some("CREATED"), "APPROVED", true),
            (
                "SUBMISSION_STARTED",
                Some("APPROVED"),
                "PENDING_SUBMISSION",
                true
            ),
            ("FILE_UPLOADED", Some("PENDING_SUBMISSION"), "SENT", true),
            ("BANK_STATUS_RECEIVED", Some("SENT"), "ACCEPTED", true),
            ("BANK_STATUS_RECEIVED", Some("ACCEPTED"), "ACCEPTED", false),
            ("OPERATOR_FORCE_UPDATE", Some("ACCEPTED"), "FAILED", true),
        ]
    );
    assert!(
        trail
            .windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].at <= w[1].at)
    );
    assert_eq!(trail[1].actor, Actor::Customer("alice".to_owned()));
    assert_eq!(trail[4].evidence, Some(Evidence::status("ACSP")));
    assert!(trail[5].note.is_some());
    assert_eq!(
        trail[6].reason.as_deref(),
        Some("bank phoned: account closed")
    );
    assert_eq!(trail[6].actor, Actor::Operator("olle".to_owned()));
    let limited = store
        .events(&EventFilter {
            entity_id: Some(id.to_owned()),
            limit: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(limited, trail[..2]);
}

#[tokio::test]
async fn mandates_and_cancellations() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let p = prepare(
        "collections.ndjson",
        &fixture("collections.ndjson"),
        DEMO,
        ApprovalPolicy::Auto,
    );
    let summary = record(&store, &p, 1).await;
    let mandate_keys: Vec<String> = p
        .records
        .iter()
        .filter(|r| matches!(r.instruction, Instruction::MandateCancellation(_)))
        .map(|r| r.instruction.key().to_owned())
        .filter(|k| {
            !p.records
                .iter()
                .any(|r| matches!(&r.instruction, Instruction::Mandate(m) if m.id.as_str() == k))
        })
        .collect();
    assert_eq!(summary.unknown_mandates, mandate_keys);
    assert_eq!(
        store.mandate("MNDT-0001").await.unwrap().unwrap().status,
        MandateStatus::Created
    );
    assert_eq!(
        store.mandate("MNDT-0002").await.unwrap().unwrap().status,
        MandateStatus::Active,
        "created active"
    );
    let active = store
        .mandates(&MandateFilter {
            status: Some(MandateStatus::Active),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(active.len(), 1);

    // A cancellation of a known mandate applies to it.
    let cancel = br#"{"type": "mandate_cancellation", "mandate": "MNDT-0001", "reason": "moved"}"#;
    let c = prepare("cancel.ndjson", cancel, DEMO, ApprovalPolicy::Auto);
    let summary = record(&store, &c, 2).await;
    assert_eq!(summary.new, ids(&["MNDT-0001"]));
    assert!(summary.unknown_mandates.is_empty());
    assert_eq!(
        store.mandate("MNDT-0001").await.unwrap().unwrap().status,
        MandateStatus::PendingCancellation
    );

    // Mandate event records.
    let mut m = Mandate::restore("MNDT-0001", MandateStatus::PendingCancellation);
    let records = vec![
        m.apply(MandateEvent::CancellationSubmissionStarted, &system(3))
            .unwrap(),
        m.apply(
            MandateEvent::Cancelled {
                evidence: Evidence::default(),
            },
            &system(4),
        )
        .unwrap(),
    ];
    store.apply_mandate_events(&records).await.unwrap();
    assert_eq!(
        store.mandate("MNDT-0001").await.unwrap().unwrap().status,
        MandateStatus::Cancelled
    );
    let forced = store
        .force_mandate_status(
            "MNDT-0001",
            MandateStatus::Active,
            "cancelled by mistake",
            &ctx(Actor::Operator("olle".to_owned()), 5),
        )
        .await
        .unwrap();
    assert!(forced.applied);
    let trail: Vec<String> = store
        .events(&EventFilter {
            entity_id: Some("MNDT-0001".to_owned()),
            limit: None,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        trail,
        [
            "CREATED",
            "CANCELLATION_REQUESTED",
            "CANCELLATION_SUBMISSION_STARTED",
            "CANCELLED",
            "OPERATOR_FORCE_UPDATE"
        ]
    );
}

#[tokio::test]
async fn inbound_files_and_statement_lines() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let file = InboundFile {
        connection: DEMO.to_owned(),
        name: "camt053-1.xml".to_owned(),
        sha256: "cd".repeat(32),
        size: 999,
        message: "camt.053.001.08".to_owned(),
        received_at: at(1),
    };
    let InboundOutcome::New { id } = store.record_inbound_file(&file, &system(1)).await.unwrap()
    else {
        panic!("new file expected")
    };
    let again = InboundFile {
        name: "camt053-1-copy.xml".to_owned(),
        received_at: at(2),
        ..file.clone()
    };
    assert_eq!(
        store.record_inbound_file(&again, &system(2)).await.unwrap(),
        InboundOutcome::Duplicate {
            id,
            first_name: "camt053-1.xml".to_owned(),
            first_received_at: at(1),
        }
    );
    let line = |reference: &str, matched: Option<&str>| StatementLine {
        inbound_file_id: id,
        account: "SE4550000000058398257466".to_owned(),
        entry_reference: reference.to_owned(),
        amount_minor: 123_456_789_012_345_678,
        currency: "EUR".to_owned(),
        credit: true,
        booking_date: Some("2026-11-23".parse().unwrap()),
        detail: Some(r#"{"end_to_end_id":"X"}"#.to_owned()),
        matched_payment_id: matched.map(str::to_owned),
    };
    let lines = vec![
        line("E1", None),
        line("E2", Some("inv-2026-0001")),
        line("E3", None),
    ];
    store.record_statement_lines(&lines).await.unwrap();
    assert_eq!(store.statement_lines(false).await.unwrap(), lines);
    assert_eq!(
        store.statement_lines(true).await.unwrap(),
        vec![lines[0].clone(), lines[2].clone()]
    );
}

#[tokio::test]
async fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (payments, events) = {
        let store = open(dir.path()).await;
        for name in ["payments.json", "collections.ndjson"] {
            let p = prepare(name, &fixture(name), DEMO, ApprovalPolicy::FourEyes);
            record(&store, &p, 1).await;
        }
        store
            .approve(&ids(&["inv-2026-0001"]), "alice", &customer("alice", 2))
            .await
            .unwrap();
        for who in ["alice", "bob"] {
            store
                .approve(&ids(&["inv-2026-0002"]), who, &customer(who, 2))
                .await
                .unwrap();
        }
        let claimed = store
            .claim_for_submission(DEMO, Scheme::ALL, 10, &system(3))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        store
            .record_outbound_file(&outbound("MSG-1", &ids(&["inv-2026-0002"])), &system(3))
            .await
            .unwrap();
        let snapshot = (all_payments(&store).await, all_events(&store).await);
        store.close().await;
        snapshot
    };
    let store = open(dir.path()).await;
    assert_eq!(all_payments(&store).await, payments);
    assert_eq!(all_events(&store).await, events);
    assert_eq!(
        store
            .payment("inv-2026-0001")
            .await
            .unwrap()
            .unwrap()
            .approvals,
        ids(&["alice"])
    );
    // Four-eyes state survives: alice again is still refused.
    let err = store
        .approve(&ids(&["inv-2026-0001"]), "alice", &customer("alice", 4))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::SameApprover { .. }));
    // The same file is still a duplicate after reopening.
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::FourEyes,
    );
    assert!(matches!(
        store
            .record_file(&p.file, &p.records, &system(5))
            .await
            .unwrap(),
        RecordOutcome::DuplicateFile { .. }
    ));
}

#[tokio::test]
async fn events_are_append_only_and_a_held_lock_is_retryable() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Manual,
    );
    record(&store, &p, 1).await;

    let url = format!("sqlite://{}", dir.path().join("bankgate.db").display());
    let mut raw = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in ["UPDATE events SET actor = 'system'", "DELETE FROM events"] {
        let err = sqlx::query(sql).execute(&mut raw).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }

    // Storage formats: WAL, fixed-width UTC timestamps, money as INTEGER.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let (when, kind): (String, String) = sqlx::query_as(
        "SELECT at, typeof((SELECT amount_minor FROM payments LIMIT 1)) FROM events LIMIT 1",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap();
    assert_eq!(
        (when.as_str(), kind.as_str()),
        ("2026-11-23T08:01:00.000000Z", "integer")
    );

    // Another writer holds the lock longer than the busy timeout.
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut raw)
        .await
        .unwrap();
    let err = store
        .approve(&ids(&["inv-2026-0001"]), "alice", &customer("alice", 2))
        .await
        .unwrap_err();
    assert!(err.retryable(), "{err:?}");
    sqlx::query("ROLLBACK").execute(&mut raw).await.unwrap();
    store
        .approve(&ids(&["inv-2026-0001"]), "alice", &customer("alice", 3))
        .await
        .unwrap();
}

#[test]
fn file_state_moves() {
    use FileState as F;
    let legal: Vec<(F, F)> = F::ALL
        .iter()
        .flat_map(|a| F::ALL.iter().map(move |b| (*a, *b)))
        .filter(|(a, b)| a.allows(*b))
        .collect();
    assert_eq!(
        legal,
        vec![
            (F::Built, F::Uploading),
            (F::Uploading, F::Built),
            (F::Uploading, F::Uploaded),
            (F::Uploading, F::UnknownOutcome),
            (F::Uploaded, F::Acknowledged),
            (F::Uploaded, F::RejectedByBank),
            (F::Uploaded, F::UnknownOutcome),
            (F::UnknownOutcome, F::Uploading),
            (F::UnknownOutcome, F::Uploaded),
            (F::UnknownOutcome, F::Acknowledged),
            (F::UnknownOutcome, F::RejectedByBank),
        ]
    );
}

/// Migration 0003 moves each payment's instruction JSON into `payment_documents`: a store
/// written before it keeps every payment, its text and its status, and records new ones
/// after it.
#[tokio::test]
async fn payments_recorded_before_the_documents_migration_keep_their_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bankgate.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate!("src/store/migrations/sqlite")
        .run_to(2, &pool)
        .await
        .unwrap();
    let at = "2026-11-20T09:00:00.000000Z";
    sqlx::query(
        "INSERT INTO intake_files (name, sha256, size, received_at, recorded_at)
         VALUES ('old.json', 'abc', 10, ?, ?)",
    )
    .bind(at)
    .bind(at)
    .execute(&pool)
    .await
    .unwrap();
    let old = [
        (
            "old-1",
            r#"{"id":"old-1","note":"café & <tag>"}"#,
            "APPROVED",
        ),
        ("old-2", r#"{"id":"old-2"}"#, "SENT"),
    ];
    for (id, json, status) in old {
        sqlx::query(
            "INSERT INTO payments (id, kind, connection, scheme, source_account, amount_minor,
                 currency, status, approvals_required, raw_json, content_sha256,
                 intake_file_id, created_at, updated_at)
             VALUES (?, 'credit_transfer', 'demo-bank', 'SEPA_CREDIT_TRANSFER', 'acme-eur',
                 100, 'EUR', ?, 0, ?, 'h', 1, ?, ?)",
        )
        .bind(id)
        .bind(status)
        .bind(json)
        .bind(at)
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    for (id, json, status) in old {
        let row = store.payment(id).await.unwrap().unwrap();
        assert_eq!(row.raw_json, json, "{id}");
        assert_eq!(row.status.as_str(), status, "{id}");
    }
    let p = prepare(
        "payments.json",
        &fixture("payments.json"),
        DEMO,
        ApprovalPolicy::Auto,
    );
    record(&store, &p, 1).await;
    let all = all_payments(&store).await;
    assert_eq!(all.len(), old.len() + p.records.len());
    for (rec, row) in p.records.iter().zip(&all[old.len()..]) {
        assert_eq!(row.id, rec.instruction.key());
        assert_eq!(row.raw_json, rec.raw_json);
    }
}
