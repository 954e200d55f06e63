//! The connection worker driven tick by tick with a controllable clock: windows on
//! business days only, next-day rollover, instant schemes at once, direct-debit lead
//! times and the late-payment policy, triggers, uploads through the local transport,
//! crash recovery of interrupted uploads, and bank files polled and reconciled.

mod common;

use std::sync::Arc;

use bankgate::config::{Config, LatePolicy};
use bankgate::domain::payment::PaymentStatus;
use bankgate::engine::handoff::Handoff;
use bankgate::engine::intake::StoreRecorder;
use bankgate::engine::worker::Worker;
use bankgate::intake::folder::{RecordVerdict, Recorder};
use bankgate::intake::{self, AccountBook, Limits};
use bankgate::store::archive::Archive;
use bankgate::store::*;
use bankgate::transport::local::LocalDirectory;
use jiff::Timestamp;

struct Bench {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    store: SqliteStore,
    config: Arc<Config>,
}

impl Bench {
    async fn new(late: LatePolicy) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        let mut config = common::config();
        config.connections[0].late_payments = late;
        if let bankgate::config::Endpoint::Local(l) = &mut config.connections[0].endpoint {
            l.outbound_dir = root.join("bank/inbox");
            l.inbound_dir = root.join("bank/outbox");
        }
        std::fs::create_dir_all(root.join("bank/inbox")).unwrap();
        std::fs::create_dir_all(root.join("bank/outbox")).unwrap();
        let store = SqliteStore::open(&root.join("bankgate.db")).await.unwrap();
        Self {
            _dir: dir,
            root,
            store,
            config: Arc::new(config),
        }
    }

    fn worker(&self, now: &str) -> Worker<SqliteStore, LocalDirectory> {
        let transport = LocalDirectory {
            outbound: self.root.join("bank/inbox"),
            inbound: self.root.join("bank/outbox"),
            allow_rename: true,
        };
        Worker::new(
            self.store.clone(),
            transport,
            Arc::clone(&self.config),
            self.config.connections[0].clone(),
            Archive::open(&self.root.join("archive")).unwrap(),
            ts(now),
        )
    }

    /// Records an NDJSON instruction file (every record valid).
    async fn drop(&self, name: &str, ndjson: &str) {
        self.drop_with(name, ndjson, None).await;
    }

    /// [`Bench::drop`], handing the parsed payments over to `handoff` when given.
    async fn drop_with(&self, name: &str, ndjson: &str, handoff: Option<&Handoff>) {
        let accounts = AccountBook::from_config(&self.config);
        let report = intake::read_file(name, ndjson.as_bytes(), &accounts, Limits::default());
        assert!(report.is_valid(), "{:?}", report.diagnostics());
        let file = IncomingFile {
            name: name.to_owned(),
            sha256: format!("{:064x}", ndjson.len() as u128 * 7919 + name.len() as u128),
            size: ndjson.len() as u64,
            received_at: Timestamp::now(),
        };
        let mut recorder = StoreRecorder::new(&self.store, &self.config);
        if let Some(handoff) = handoff {
            recorder = recorder.with_handoff(handoff.clone());
        }
        let verdict = recorder.record(&file, &report).await.unwrap();
        assert!(
            matches!(verdict, RecordVerdict::Recorded { .. }),
            "{verdict:?}"
        );
    }

    async fn status(&self, id: &str) -> PaymentStatus {
        self.store.payment(id).await.unwrap().unwrap().status
    }

    async fn requested_in_file(&self, id: &str) -> String {
        let files = self
            .store
            .outbound_files(&OutboundFilter::default())
            .await
            .unwrap();
        let file = files
            .iter()
            .find(|f| f.file.transactions.iter().any(|t| t.payment_id == id))
            .unwrap_or_else(|| panic!("{id} is in no file"));
        let xml =
            std::fs::read_to_string(self.root.join("archive").join(&file.file.archive)).unwrap();
        let start = xml
            .find("<ReqdExctnDt>")
            .or_else(|| xml.find("<ReqdColltnDt>"))
            .unwrap();
        let date = &xml[start..];
        let date = date.split_once('>').unwrap().1;
        let date = date.trim_start_matches("<Dt>");
        date[..10].to_owned()
    }

    /// Every archived outbound file's bytes, in MsgId order.
    async fn outbound_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = self
            .store
            .outbound_files(&OutboundFilter::default())
            .await
            .unwrap();
        files.sort_by(|a, b| a.file.message_id.cmp(&b.file.message_id));
        files
            .iter()
            .map(|f| {
                let path = self.root.join("archive").join(&f.file.archive);
                (f.file.message_id.clone(), std::fs::read(path).unwrap())
            })
            .collect()
    }

    fn outbound_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join("bank/inbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn sct(id: &str, date: Option<&str>) -> String {
    let date = date.map_or(String::new(), |d| format!(r#", "requested_date": "{d}""#));
    format!(
        r#"{{"type": "credit_transfer", "id": "{id}", "source_account": "acme-eur", "scheme": "SEPA_CREDIT_TRANSFER", "amount": "10.00", "currency": "EUR"{date}, "counterparty": {{"name": "Supplier GmbH", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#
    )
}

fn instant(id: &str) -> String {
    format!(
        r#"{{"type": "credit_transfer", "id": "{id}", "source_account": "acme-eur", "scheme": "SEPA_INSTANT_CREDIT_TRANSFER", "amount": "5.00", "currency": "EUR", "counterparty": {{"name": "Supplier GmbH", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#
    )
}

const MANDATE: &str = r#"{"type": "mandate", "id": "MNDT-1", "scheme": "SEPA_DIRECT_DEBIT_CORE", "creditor_account": "acme-eur", "signed_on": "2026-01-05", "active": true, "debtor": {"name": "Jane Doe", "account": {"type": "IBAN", "number": "NL91ABNA0417164300"}}}"#;

fn collection(id: &str, date: &str) -> String {
    format!(
        r#"{{"type": "direct_debit", "id": "{id}", "source_account": "acme-eur", "scheme": "SEPA_DIRECT_DEBIT_CORE", "amount": "49.00", "currency": "EUR", "requested_date": "{date}", "mandate": "MNDT-1"}}"#
    )
}

/// Fixture schedule: SEPA CT and SDD at 09:00 and 13:00 Stockholm (08:00Z / 12:00Z in
/// winter), windows 15 minutes before; SEPA Instant immediately.
#[tokio::test]
async fn windows_open_before_cut_offs_on_business_days_only() {
    let bench = Bench::new(LatePolicy::Move).await;
    // Saturday 2026-11-21: no window today; the next is Monday 07:45Z.
    let mut worker = bench.worker("2026-11-21T10:00:00Z");
    bench
        .drop(
            "a.ndjson",
            &[sct("sat-1", None), instant("inst-1")].join("\n"),
        )
        .await;
    let report = worker.tick(ts("2026-11-21T10:00:00Z")).await.unwrap();
    assert_eq!(
        report.built.len(),
        1,
        "only the instant payment goes at once"
    );
    assert_eq!(bench.status("inst-1").await, PaymentStatus::Sent);
    assert_eq!(bench.status("sat-1").await, PaymentStatus::Approved);
    // Sunday evening, Monday 07:44Z: still nothing.
    for at in ["2026-11-22T20:00:00Z", "2026-11-23T07:44:59Z"] {
        assert!(worker.tick(ts(at)).await.unwrap().built.is_empty(), "{at}");
    }
    assert_eq!(bench.status("sat-1").await, PaymentStatus::Approved);
    // Monday 07:45Z: the 09:00 window opens; executes Monday.
    let report = worker.tick(ts("2026-11-23T07:45:00Z")).await.unwrap();
    assert_eq!(report.built.len(), 1);
    assert_eq!(bench.status("sat-1").await, PaymentStatus::Sent);
    assert_eq!(bench.requested_in_file("sat-1").await, "2026-11-23");
    // Between windows nothing runs; the 13:00 window (11:45Z) takes what came in between.
    bench
        .drop("b.ndjson", &sct("mon-1", Some("2026-11-23")))
        .await;
    assert!(
        worker
            .tick(ts("2026-11-23T10:00:00Z"))
            .await
            .unwrap()
            .built
            .is_empty()
    );
    assert_eq!(
        worker
            .tick(ts("2026-11-23T11:45:00Z"))
            .await
            .unwrap()
            .built
            .len(),
        1
    );
    assert_eq!(bench.requested_in_file("mon-1").await, "2026-11-23");
    // After the last cut-off: the next window is Tuesday's first, and a payment asked
    // for Monday executes Tuesday (late_payments = move).
    bench
        .drop("c.ndjson", &sct("late-1", Some("2026-11-23")))
        .await;
    assert!(
        worker
            .tick(ts("2026-11-23T16:00:00Z"))
            .await
            .unwrap()
            .built
            .is_empty()
    );
    assert_eq!(
        worker
            .tick(ts("2026-11-24T07:45:00Z"))
            .await
            .unwrap()
            .built
            .len(),
        1
    );
    assert_eq!(bench.requested_in_file("late-1").await, "2026-11-24");
    // Christmas: TARGET2 is closed 25 and 26 December; after the 24th's last window the
    // next is Monday 28th.
    // (A window whose time passed while no tick ran runs at the next tick.)
    assert!(
        worker
            .tick(ts("2026-12-24T12:30:00Z"))
            .await
            .unwrap()
            .built
            .is_empty()
    );
    bench.drop("d.ndjson", &sct("xmas-1", None)).await;
    for at in [
        "2026-12-24T13:00:00Z",
        "2026-12-25T07:45:00Z",
        "2026-12-26T07:45:00Z",
    ] {
        assert!(worker.tick(ts(at)).await.unwrap().built.is_empty(), "{at}");
    }
    assert_eq!(
        worker
            .tick(ts("2026-12-28T07:45:00Z"))
            .await
            .unwrap()
            .built
            .len(),
        1
    );
    assert_eq!(bench.requested_in_file("xmas-1").await, "2026-12-28");
    // Every payment is in exactly one file, and every file reached the bank.
    let files = bench
        .store
        .outbound_files(&OutboundFilter::default())
        .await
        .unwrap();
    assert_eq!(files.len(), 5);
    assert!(files.iter().all(|f| f.state == FileState::Uploaded));
    assert_eq!(bench.outbound_names().len(), 5);
}

#[tokio::test]
async fn direct_debit_lead_times_move_or_fail_late_collections() {
    for (late, expected) in [
        (LatePolicy::Move, Some("2026-11-25")),
        (LatePolicy::Fail, None),
    ] {
        let bench = Bench::new(late).await;
        let mut worker = bench.worker("2026-11-23T06:00:00Z");
        // CORE needs the file by D-1 cut-off: on Monday's 09:00 window a collection for
        // Tuesday is fine, one for Monday is late.
        bench
            .drop(
                "dd.ndjson",
                &[
                    MANDATE.to_owned(),
                    collection("dd-ok", "2026-11-24"),
                    collection("dd-late", "2026-11-23"),
                ]
                .join("\n"),
            )
            .await;
        worker.tick(ts("2026-11-23T07:45:00Z")).await.unwrap();
        assert_eq!(bench.status("dd-ok").await, PaymentStatus::Sent);
        assert_eq!(bench.requested_in_file("dd-ok").await, "2026-11-24");
        match expected {
            Some(_) => {
                assert_eq!(bench.status("dd-late").await, PaymentStatus::Sent);
                // Earliest collection submitted Monday before the cut-off: Tuesday (D-1).
                let date = bench.requested_in_file("dd-late").await;
                assert!(date.as_str() >= "2026-11-24", "{date}");
            }
            None => {
                assert_eq!(bench.status("dd-late").await, PaymentStatus::Failed);
                let events = bench
                    .store
                    .events(&EventFilter {
                        entity_id: Some("dd-late".into()),
                        ..EventFilter::default()
                    })
                    .await
                    .unwrap();
                let refused = events
                    .iter()
                    .find(|e| e.event == "SUBMISSION_REFUSED")
                    .unwrap();
                assert!(
                    refused.reason.as_deref().unwrap().contains("timing.late"),
                    "{refused:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn trigger_runs_a_window_now() {
    let bench = Bench::new(LatePolicy::Move).await;
    let mut worker = bench.worker("2026-11-23T10:00:00Z");
    bench.drop("a.ndjson", &sct("trig-1", None)).await;
    assert!(
        worker
            .tick(ts("2026-11-23T10:00:00Z"))
            .await
            .unwrap()
            .built
            .is_empty()
    );
    let ctx = bankgate::domain::event::EventContext::new(
        bankgate::domain::event::Actor::Operator("ops".into()),
        ts("2026-11-23T10:00:01Z"),
    );
    bench
        .store
        .request_trigger("demo-bank", &ctx)
        .await
        .unwrap();
    assert_eq!(
        worker
            .tick(ts("2026-11-23T10:00:02Z"))
            .await
            .unwrap()
            .built
            .len(),
        1
    );
    assert_eq!(bench.status("trig-1").await, PaymentStatus::Sent);
    // The request is taken once.
    assert!(
        worker
            .tick(ts("2026-11-23T10:00:03Z"))
            .await
            .unwrap()
            .built
            .is_empty()
    );
}

#[tokio::test]
async fn an_interrupted_upload_is_checked_on_the_server_before_any_resend() {
    let bench = Bench::new(LatePolicy::Move).await;
    let mut worker = bench.worker("2026-11-23T10:00:00Z");
    bench.drop("a.ndjson", &instant("inst-9")).await;
    let built = worker.tick(ts("2026-11-23T10:00:00Z")).await.unwrap().built;
    assert_eq!(built.len(), 1);
    let row = bench.store.outbound_file(&built[0]).await.unwrap().unwrap();
    assert_eq!(row.state, FileState::Uploaded);
    // The outcome becomes unknown (as after a crash between the rename and recording
    // UPLOADED, or an acknowledgement that never came).
    let ctx = bankgate::domain::event::EventContext::new(
        bankgate::domain::event::Actor::System,
        ts("2026-11-23T10:00:30Z"),
    );
    bench
        .store
        .set_outbound_file_state(
            &built[0],
            FileState::Uploaded,
            FileState::UnknownOutcome,
            Some("test"),
            &ctx,
        )
        .await
        .unwrap();
    let path = bench.root.join("bank/inbox").join(&row.file.name);
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    // A restart finds it on the server under its final name with the right size: it is
    // UPLOADED again without a second upload.
    let mut restarted = bench.worker("2026-11-23T10:01:00Z");
    restarted.tick(ts("2026-11-23T10:01:00Z")).await.unwrap();
    let row = bench.store.outbound_file(&built[0]).await.unwrap().unwrap();
    assert_eq!(row.state, FileState::Uploaded);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
    // Gone from the server (the bank took it away): uploaded again under the same name.
    bench
        .store
        .set_outbound_file_state(
            &built[0],
            FileState::Uploaded,
            FileState::UnknownOutcome,
            Some("test"),
            &ctx,
        )
        .await
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    restarted.tick(ts("2026-11-23T10:02:00Z")).await.unwrap();
    assert_eq!(
        bench
            .store
            .outbound_file(&built[0])
            .await
            .unwrap()
            .unwrap()
            .state,
        FileState::Uploaded
    );
    assert_eq!(bench.outbound_names(), vec![row.file.name.clone()]);
}

/// A pain.002 accepting one transaction and rejecting another, then a camt.054
/// booking the accepted one, are fetched, archived and applied; the file state follows.
#[tokio::test]
async fn bank_files_are_polled_reconciled_and_recorded_once() {
    let bench = Bench::new(LatePolicy::Move).await;
    let mut worker = bench.worker("2026-11-23T10:00:00Z");
    bench
        .drop("a.ndjson", &[instant("ok-1"), instant("bad-1")].join("\n"))
        .await;
    let built = worker.tick(ts("2026-11-23T10:00:00Z")).await.unwrap().built;
    let row = bench.store.outbound_file(&built[0]).await.unwrap().unwrap();
    let msg = &row.file.message_id;
    let e2e = |id: &str| {
        row.file
            .transactions
            .iter()
            .find(|t| t.payment_id == id)
            .unwrap()
            .end_to_end_id
            .clone()
    };
    let pain002 = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-11-23T10:05:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{msg}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>{pmt}</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{ok}</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>{bad}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf></TxInfAndSts>
</OrgnlPmtInfAndSts></OrgnlPmtInfAndSts_placeholder>"#,
        pmt = row.file.transactions[0].payment_information_id,
        ok = e2e("ok-1"),
        bad = e2e("bad-1"),
    )
    .replace("</OrgnlPmtInfAndSts></OrgnlPmtInfAndSts_placeholder>", "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>");
    std::fs::write(bench.root.join("bank/outbox/status-1.xml"), &pain002).unwrap();
    std::fs::write(bench.root.join("bank/outbox/garbage.xml"), "<not-iso/>").unwrap();
    let report = worker.tick(ts("2026-11-23T10:10:00Z")).await.unwrap();
    assert!(report.polled);
    assert_eq!(bench.status("ok-1").await, PaymentStatus::Executed);
    assert_eq!(bench.status("bad-1").await, PaymentStatus::Failed);
    let row = bench.store.outbound_file(msg).await.unwrap().unwrap();
    assert_eq!(row.state, FileState::Acknowledged);
    // Files left on the server are not processed again (ledger by name, size, mtime).
    let mut restarted = bench.worker("2026-11-23T10:20:00Z");
    restarted.tick(ts("2026-11-23T10:20:00Z")).await.unwrap();
    let events = bench.store.events(&EventFilter::default()).await.unwrap();
    let received: Vec<_> = events
        .iter()
        .filter(|e| e.entity == "INBOUND_FILE")
        .collect();
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(
        received
            .iter()
            .any(|e| e.entity_id == "garbage.xml" && e.status_after == "QUARANTINED")
    );
    // The quarantined file is listed with its reason, newest first.
    let inbound = bench
        .store
        .inbound_files(Some("demo-bank"), 10)
        .await
        .unwrap();
    assert_eq!(inbound.len(), 2);
    let garbage = inbound
        .iter()
        .find(|f| f.file.name == "garbage.xml")
        .unwrap();
    assert_eq!(garbage.state, "QUARANTINED");
    assert!(garbage.reason.as_deref().is_some_and(|r| !r.is_empty()));
    assert!(
        inbound
            .iter()
            .any(|f| f.file.message == "pain.002.001.10" && f.state == "PROCESSED")
    );
    // Both bank files are archived by content.
    let archived = std::fs::read_dir(bench.root.join("archive/sha256"))
        .unwrap()
        .count();
    assert!(archived >= 2);
}

/// Payments intake hands over in memory end up in byte-identical files to those read
/// back from the store: with no handoff, with a full one, and with one that lost an
/// entry (that payment is read from the store).
#[tokio::test]
async fn handed_over_instructions_build_the_same_files_as_stored_ones() {
    let file = [
        MANDATE.to_owned(),
        collection("dd-1", "2026-11-25"),
        collection("dd-late", "2026-11-23"),
        instant("inst-1"),
        instant("inst-2"),
        sct("sct-1", Some("2026-11-24")),
        sct("sct-past", Some("2026-11-20")),
        sct("sct-asap", None),
    ]
    .join("\n");
    let now = "2026-11-23T07:45:00Z";
    let mut built = Vec::new();
    for handed in [None, Some(false), Some(true)] {
        let bench = Bench::new(LatePolicy::Move).await;
        let mut worker = bench.worker("2026-11-23T06:00:00Z");
        let handoff = Handoff::new();
        match handed {
            None => bench.drop("mixed.ndjson", &file).await,
            Some(lose_one) => {
                bench.drop_with("mixed.ndjson", &file, Some(&handoff)).await;
                // The seven payments, not the mandate.
                assert_eq!(handoff.len(), 7);
                if lose_one {
                    assert!(handoff.take(["inst-2"])[0].is_some());
                }
                worker = worker.with_handoff(handoff.clone());
            }
        }
        worker.tick(ts(now)).await.unwrap();
        assert!(handoff.is_empty(), "the window took every payment");
        for id in [
            "dd-1", "dd-late", "inst-1", "inst-2", "sct-1", "sct-past", "sct-asap",
        ] {
            assert_eq!(bench.status(id).await, PaymentStatus::Sent, "{id}");
        }
        let files = bench.outbound_bytes().await;
        // The 09:00 window's pain.001 and pain.008, and the instant payments' pain.001.
        assert_eq!(files.len(), 3);
        built.push(files);
    }
    assert_eq!(built[0], built[1], "full handoff");
    assert_eq!(built[0], built[2], "handoff missing one payment");
}

/// Payments claimed by a window that never filed them (the process stopped in between)
/// are filed by the first window of the next worker.
#[tokio::test]
async fn claimed_payments_no_file_carries_are_filed_after_a_restart() {
    let bench = Bench::new(LatePolicy::Move).await;
    bench
        .drop(
            "instant.ndjson",
            &[instant("i-1"), instant("i-2")].join("\n"),
        )
        .await;
    let ctx = bankgate::domain::event::EventContext::new(
        bankgate::domain::event::Actor::System,
        ts("2026-11-23T10:00:00Z"),
    );
    let claimed = bench
        .store
        .claim_for_submission(
            &bench.config.connections[0].id,
            bankgate::domain::scheme::Scheme::ALL,
            10,
            &ctx,
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(bench.status("i-1").await, PaymentStatus::PendingSubmission);
    let mut worker = bench.worker("2026-11-23T10:00:00Z");
    let report = worker.tick(ts("2026-11-23T10:00:01Z")).await.unwrap();
    assert_eq!(report.built.len(), 1);
    for id in ["i-1", "i-2"] {
        assert_eq!(bench.status(id).await, PaymentStatus::Sent, "{id}");
    }
}
